package io.candor.attribution.report;

import io.candor.interop.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A self-contained HTML report, built section by section: text, tables, pictures and charts, each figure
 * with the {@code candor} command that makes it. Pictures are inline PNG data URIs and charts inline SVG,
 * so the one file needs no network and no JavaScript. The markup is XHTML5: browsers read it as HTML,
 * and an XML parser can check it, which the tests do.
 *
 * <p>Pictures and charts are encoded when they are added, so changing an image afterwards does not
 * change the report, and {@link #html()} is cheap and gives the same text every time.
 */
public final class Report {
    /** Small maps (a 28x28 digit) are shown enlarged, by a whole factor and without smoothing. */
    private static final int MIN_DISPLAY_SIDE = 168;

    private final String title;
    private final List<String> blocks = new ArrayList<>();
    private final List<String> headings = new ArrayList<>();

    private Report(String title) {
        this.title = Objects.requireNonNull(title, "title");
    }

    public static Report titled(String title) {
        return new Report(title);
    }

    public Report paragraph(String text) {
        blocks.add("<p>" + Html.escape(text) + "</p>");
        return this;
    }

    /** Starts a section; sections are listed at the top of the page when there are two or more. */
    public Report heading(String text) {
        headings.add(text);
        blocks.add("<h2 id=\"section-" + headings.size() + "\">" + Html.escape(text) + "</h2>");
        return this;
    }

    /** A table; every row has the header's width, and a null or blank cell shows as a dash. */
    public Report table(List<String> header, List<List<String>> rows) {
        return table(null, header, rows);
    }

    public Report table(String caption, List<String> header, List<List<String>> rows) {
        blocks.add(Tables.html(caption, header, rows));
        return this;
    }

    /** A signed matrix as a colour-coded table (class x attribute relevance, say). */
    public Report heatmap(String caption, Matrix matrix, String command) {
        blocks.add("<figure class=\"fig\">" + matrix.html(caption) + "\n" + commandBlock(command) + "</figure>");
        return this;
    }

    /** One picture. */
    public Report figure(String caption, BufferedImage image, String command) {
        return figures(caption, List.of(LabelledImage.of(null, image)), command);
    }

    /** Pictures side by side (before | after), each labelled, under one caption. */
    public Report figures(String caption, List<LabelledImage> images, String command) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("a figure needs at least one picture");
        }
        StringBuilder body = new StringBuilder("<div class=\"row\">");
        for (LabelledImage panel : images) {
            body.append("<figure>").append(img(panel.image(), panel.label() == null ? caption : panel.label()));
            if (panel.label() != null && !panel.label().isBlank()) {
                body.append("<figcaption>").append(Html.escape(panel.label())).append("</figcaption>");
            }
            body.append("</figure>");
        }
        return figureBlock(caption, body.append("</div>\n").toString(), command);
    }

    /**
     * Token sequences coloured by a score per token (red for, blue against; each row on its own scale),
     * one row per label: CD of each word of some sentences, say.
     */
    public Report tokens(String caption, List<String> labels, List<List<String>> tokens, List<float[]> scores,
            String command) {
        if (labels.size() != tokens.size() || scores.size() != tokens.size() || tokens.isEmpty()) {
            throw new IllegalArgumentException("need one label and one score per token row, and at least one row");
        }
        return figureBlock(caption, "<div class=\"tokens\">" + io.candor.attribution.render.TokenHtml.rows(labels, tokens, scores)
                + "</div>\n", command);
    }

    /** A line chart; its title is drawn in the chart. */
    public Report chart(LineChart chart, String command) {
        return charts(null, List.of(chart), command);
    }

    /** Charts side by side (one per quantity: loss, penalty, accuracy, ...), made by one command. */
    public Report charts(String caption, List<LineChart> charts, String command) {
        if (charts.isEmpty()) {
            throw new IllegalArgumentException("a figure needs at least one chart");
        }
        StringBuilder body = new StringBuilder("<div class=\"row\">");
        for (LineChart chart : charts) {
            body.append(chart.svg());
        }
        return figureBlock(caption, body.append("</div>\n").toString(), command);
    }

    /** A command on its own, to copy and run. */
    public Report command(String command) {
        blocks.add(commandBlock(command));
        return this;
    }

    /** The whole document. */
    public String html() {
        StringBuilder html = new StringBuilder(1 << 16);
        html.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<meta name=\"generator\" content=\"Candor\"/>\n")
                .append("<title>").append(Html.escape(title)).append("</title>\n")
                .append("<style>\n").append(Style.CSS).append("\n</style>\n</head>\n<body>\n")
                .append("<h1>").append(Html.escape(title)).append("</h1>\n");
        if (headings.size() >= 2) {
            html.append("<nav><ol>");
            for (int i = 0; i < headings.size(); i++) {
                html.append("<li><a href=\"#section-").append(i + 1).append("\">").append(Html.escape(headings.get(i)))
                        .append("</a></li>");
            }
            html.append("</ol></nav>\n");
        }
        for (String block : blocks) {
            html.append(block).append('\n');
        }
        return html.append("<footer>Written by Candor. Every picture and chart is in this file; it needs no network.</footer>\n")
                .append("</body>\n</html>\n").toString();
    }

    /** Writes the document as UTF-8, atomically: a reader sees the old file or the whole new one. */
    public void write(Path file) {
        AtomicFiles.writeString(file, html());
    }

    /** A figure: its caption, what it shows, and the command that makes it. */
    private Report figureBlock(String caption, String body, String command) {
        StringBuilder html = new StringBuilder("<figure class=\"fig\">");
        caption(html, caption);
        blocks.add(html.append(body).append(commandBlock(command)).append("</figure>").toString());
        return this;
    }

    private static void caption(StringBuilder html, String caption) {
        if (caption != null && !caption.isBlank()) {
            html.append("<figcaption>").append(Html.escape(caption)).append("</figcaption>");
        }
    }

    private static String img(BufferedImage image, String alt) {
        int w = image.getWidth();
        int h = image.getHeight();
        int scale = Math.max(1, (int) Math.ceil(MIN_DISPLAY_SIDE / (double) Math.max(w, h)));
        return "<img" + (scale > 1 ? " class=\"px\"" : "") + " src=\"" + PngImages.dataUri(image) + "\" width=\"" + w * scale
                + "\" height=\"" + h * scale + "\" alt=\"" + Html.escape(alt == null ? "" : alt) + "\"/>";
    }

    /** Every figure says how to make it again; a figure without its command is a bug in the caller. */
    private static String commandBlock(String command) {
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("a report figure needs the candor command that makes it");
        }
        return "<pre class=\"cmd\"><code>" + Html.escape(command.strip()) + "</code></pre>\n";
    }
}
