package io.candor.attribution.report;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** A plain table: a header row and rows of the same width, numbers right-aligned so they compare. */
final class Tables {
    /** What reads as one number: "0.87", "-3", "1e-4", "91.2%", "12,000". */
    private static final Pattern NUMBER = Pattern.compile("[-+\u2212]?(\\d[\\d,]*(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?\\s*%?");
    /** Shown for a missing value, so no cell is blank and a reader sees the gap is deliberate. */
    static final String MISSING = "\u2014";

    private Tables() {
    }

    static String html(String caption, List<String> header, List<List<String>> rows) {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(rows, "rows");
        if (header.isEmpty()) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row == null || row.size() != header.size()) {
                throw new IllegalArgumentException("table row " + r + " has " + (row == null ? 0 : row.size())
                        + " cells, the header " + header.size());
            }
        }
        boolean[] numeric = numericColumns(header.size(), rows);
        // The wrapper scrolls a wide table sideways on a narrow screen instead of pushing the page wider.
        StringBuilder html = new StringBuilder("<div class=\"scroll\"><table>");
        if (caption != null && !caption.isBlank()) {
            html.append("<caption>").append(Html.escape(caption)).append("</caption>");
        }
        html.append("\n<thead><tr>");
        for (int c = 0; c < header.size(); c++) {
            html.append("<th scope=\"col\"").append(numeric[c] ? " class=\"n\"" : "").append('>')
                    .append(Html.escape(header.get(c))).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            html.append("<tr>");
            for (int c = 0; c < row.size(); c++) {
                html.append(numeric[c] ? "<td class=\"n\">" : "<td>").append(Html.escape(shown(row.get(c)))).append("</td>");
            }
            html.append("</tr>\n");
        }
        return html.append("</tbody></table></div>").toString();
    }

    /** A column of numbers (gaps allowed) is right-aligned whole, header and dashes too, so digits line up. */
    private static boolean[] numericColumns(int width, List<List<String>> rows) {
        boolean[] numeric = new boolean[width];
        for (int c = 0; c < width; c++) {
            boolean any = false;
            boolean all = true;
            for (List<String> row : rows) {
                String cell = row.get(c);
                if (cell != null && !cell.isBlank()) {
                    any = true;
                    all &= NUMBER.matcher(cell.strip()).matches();
                }
            }
            numeric[c] = any && all;
        }
        return numeric;
    }

    static String shown(String cell) {
        return cell == null || cell.isBlank() ? MISSING : cell;
    }
}
