package io.candor.attribution.report;

import io.candor.attribution.render.DivergingColors;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Objects;

/**
 * A signed matrix (class x attribute relevance, say) shown as a table whose cells are coloured by value:
 * red positive, blue negative, white zero, scaled to the largest magnitude, with the number in each cell
 * so the picture can also be read exactly.
 *
 * @param corner the header of the row-label column ("class"), may be empty
 * @param rows a label per row
 * @param columns a label per column
 * @param values [rows][columns]; NaN shows as a missing value
 */
public record Matrix(String corner, List<String> rows, List<String> columns, double[][] values) {
    public Matrix {
        rows = List.copyOf(rows);
        columns = List.copyOf(columns);
        Objects.requireNonNull(values, "values");
        if (values.length != rows.size()) {
            throw new IllegalArgumentException("matrix has " + values.length + " rows of values, " + rows.size() + " labels");
        }
        double[][] copy = new double[values.length][];
        for (int r = 0; r < values.length; r++) {
            if (values[r].length != columns.size()) {
                throw new IllegalArgumentException("matrix row " + r + " has " + values[r].length + " values, "
                        + columns.size() + " column labels");
            }
            copy[r] = values[r].clone();
        }
        values = copy;
    }

    /** A copy: the record keeps its values to itself, so a report cannot change after it is built. */
    @Override
    public double[][] values() {
        double[][] copy = new double[values.length][];
        for (int r = 0; r < values.length; r++) {
            copy[r] = values[r].clone();
        }
        return copy;
    }

    public static Matrix of(String corner, List<String> rows, List<String> columns, double[][] values) {
        return new Matrix(corner, rows, columns, values);
    }

    /** The largest finite magnitude, or 1 when there is none, so the colour scale is never 0/0. */
    double bound() {
        double bound = 0;
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    bound = Math.max(bound, Math.abs(v));
                }
            }
        }
        return bound == 0 ? 1 : bound;
    }

    String html(String caption) {
        double bound = bound();
        StringBuilder html = new StringBuilder("<div class=\"scroll\"><table class=\"heat\">");
        if (caption != null && !caption.isBlank()) {
            html.append("<caption>").append(Html.escape(caption)).append("</caption>");
        }
        html.append("\n<thead><tr><th scope=\"col\">").append(Html.escape(corner)).append("</th>");
        for (String column : columns) {
            html.append("<th scope=\"col\">").append(Html.escape(column)).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        for (int r = 0; r < rows.size(); r++) {
            html.append("<tr><th scope=\"row\">").append(Html.escape(rows.get(r))).append("</th>");
            for (double v : values[r]) {
                html.append(cell(v, bound));
            }
            html.append("</tr>\n");
        }
        html.append("</tbody></table></div>\n<p class=\"scale\">Red: positive, blue: negative; full colour at \u00b1")
                .append(Html.escape(format(bound))).append(".</p>");
        return html.toString();
    }

    private static String cell(double v, double bound) {
        if (!Double.isFinite(v)) {
            return "<td>" + Tables.MISSING + "</td>";
        }
        double t = v / bound;
        // Dark cells get white text: black on the saturated ends of the map is hard to read.
        String ink = Math.abs(t) > 0.55 ? "#fff" : "#111";
        return "<td style=\"background:" + DivergingColors.css(t) + ";color:" + ink + "\">" + Html.escape(format(v)) + "</td>";
    }

    /** Three significant digits, no trailing zeros: "0.12", "-3.4", "1.5E-7". */
    static String format(double v) {
        if (v == 0) {
            return "0";
        }
        BigDecimal rounded = new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros();
        double magnitude = Math.abs(v);
        return magnitude >= 1e-4 && magnitude < 1e7 ? rounded.toPlainString() : rounded.toString();
    }
}
