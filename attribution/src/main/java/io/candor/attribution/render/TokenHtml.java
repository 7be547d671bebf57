package io.candor.attribution.render;

import java.util.List;

/** An HTML page that colours each token of each sample by its attribution (diverging colours). */
public final class TokenHtml {
    private TokenHtml() {
    }

    /** One row per sample: its label line, then its tokens with their scores as tooltips. */
    public static String page(String title, List<String> labels, List<List<String>> tokens, List<float[]> scores) {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em}span.t{padding:2px 3px;margin:1px;"
                        + "border-radius:3px;display:inline-block}div.s{margin:1em 0}p.l{color:#555;margin:0}</style>"
                        + "</head><body>\n<h1>").append(escape(title)).append("</h1>\n")
                .append("<p>Red tokens push the explained logit up, blue ones down; hover for the value.</p>\n");
        html.append(rows(labels, tokens, scores));
        return html.append("</body></html>\n").toString();
    }

    /**
     * The rows alone, each a {@code div.s} with its label ({@code p.l}) and tokens ({@code span.t}), each row
     * coloured on its own scale; well-formed XML, so an XHTML page can hold them.
     */
    public static String rows(List<String> labels, List<List<String>> tokens, List<float[]> scores) {
        StringBuilder html = new StringBuilder();
        for (int n = 0; n < tokens.size(); n++) {
            float[] s = scores.get(n);
            double bound = 1e-12;
            for (float v : s) {
                bound = Math.max(bound, Math.abs(v));
            }
            html.append("<div class=\"s\"><p class=\"l\">").append(escape(labels.get(n))).append("</p>");
            for (int t = 0; t < tokens.get(n).size(); t++) {
                html.append("<span class=\"t\" style=\"background:").append(DivergingColors.css(s[t] / bound))
                        .append("\" title=\"").append(String.format(java.util.Locale.ROOT, "%.4g", s[t])).append("\">")
                        .append(escape(tokens.get(n).get(t))).append("</span>");
            }
            html.append("</div>\n");
        }
        return html.toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
