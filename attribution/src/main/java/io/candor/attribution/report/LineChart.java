package io.candor.attribution.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A line chart as a standalone SVG string: one quantity (loss, accuracy, ...) over x (usually epochs),
 * one coloured line per series, a legend, labelled axes. Non-finite points are left out and break the
 * line, so a metric that was not measured every epoch shows as a gap, not as a false straight segment.
 * The same chart always gives the same bytes.
 */
public final class LineChart {
    /** Okabe-Ito: told apart by colour-blind readers too. Lines past the eighth are dashed. */
    private static final String[] COLORS = {
        "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#999999"};
    /** Draw a dot at every point only while dots still read as dots, not as a thick line. */
    private static final int MAX_MARKED_POINTS = 60;
    private static final double CHAR_WIDTH = 6.6; // at 12px, to lay out the legend without measuring text
    private static final int LEFT = 64;
    private static final int RIGHT = 20;
    private static final int BOTTOM = 46;

    private final String title;
    private String xLabel = "";
    private String yLabel = "";
    private int width = 520; // two fit side by side in the page's column
    private int height = 300;
    private final List<Series> series = new ArrayList<>();
    private final List<Double> includeY = new ArrayList<>();

    private record Series(String name, double[] x, double[] y) {
        int finiteCount() {
            int n = 0;
            for (int i = 0; i < x.length; i++) {
                n += finite(i) ? 1 : 0;
            }
            return n;
        }

        boolean finite(int i) {
            return i >= 0 && i < x.length && Double.isFinite(x[i]) && Double.isFinite(y[i]);
        }
    }

    private LineChart(String title) {
        this.title = title == null ? "" : title;
    }

    public static LineChart titled(String title) {
        return new LineChart(title);
    }

    /** The axis titles, e.g. ("epoch", "loss"). */
    public LineChart axes(String xLabel, String yLabel) {
        this.xLabel = xLabel == null ? "" : xLabel;
        this.yLabel = yLabel == null ? "" : yLabel;
        return this;
    }

    /** The drawing's size in CSS pixels (it shrinks to fit a narrow page). */
    public LineChart size(int width, int height) {
        if (width < 200 || height < 150) {
            throw new IllegalArgumentException("a chart needs at least 200 x 150 pixels, not " + width + " x " + height);
        }
        this.width = width;
        this.height = height;
        return this;
    }

    /** Makes the y axis reach these values too, e.g. 0, or 0 and 1 for an accuracy. */
    public LineChart includeY(double... values) {
        for (double v : values) {
            if (Double.isFinite(v)) {
                includeY.add(v);
            }
        }
        return this;
    }

    /** A series of points (x[i], y[i]); the arrays are copied. */
    public LineChart series(String name, double[] x, double[] y) {
        Objects.requireNonNull(name, "name");
        if (x.length != y.length) {
            throw new IllegalArgumentException("series " + name + " has " + x.length + " x values and " + y.length + " y values");
        }
        series.add(new Series(name, x.clone(), y.clone()));
        return this;
    }

    /** A series measured once per epoch: y[i] is drawn at x = i + 1. */
    public LineChart series(String name, double[] y) {
        double[] x = new double[y.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        return series(name, x, y);
    }

    public String title() {
        return title;
    }

    /** The chart as an {@code <svg>} element, for inline use in HTML or as a file of its own. */
    public String svg() {
        List<String> legend = legendRows();
        int top = (title.isEmpty() ? 12 : 34) + 18 * legend.size();
        double[] xr = range(true);
        double[] yr = range(false);
        Ticks xTicks = Ticks.of(xr[0], xr[1], 6, integral());
        Ticks yTicks = Ticks.of(yr[0], yr[1], 5, false);
        Frame frame = new Frame(LEFT, width - RIGHT, top, height - BOTTOM, xTicks, yTicks);

        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"").append(Html.escape(title))
                .append("\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" font-size=\"12\">\n");
        if (!title.isEmpty()) {
            svg.append("<title>").append(Html.escape(title)).append("</title>\n");
        }
        svg.append("<rect width=\"").append(width).append("\" height=\"").append(height).append("\" fill=\"#fff\"/>\n");
        if (!title.isEmpty()) {
            svg.append("<text x=\"").append(LEFT).append("\" y=\"20\" font-size=\"14\" font-weight=\"600\" fill=\"#111\">")
                    .append(Html.escape(title)).append("</text>\n");
        }
        svg.append(String.join("", legend));
        axes(svg, frame);
        for (int s = 0; s < series.size(); s++) {
            seriesPath(svg, frame, s);
        }
        return svg.append("</svg>").toString();
    }

    /** The plot area in pixels and the data range it shows. */
    private record Frame(double left, double right, double top, double bottom, Ticks xTicks, Ticks yTicks) {
        double x(double v) {
            return left + (v - xTicks.first()) / (xTicks.last() - xTicks.first()) * (right - left);
        }

        double y(double v) {
            return bottom - (v - yTicks.first()) / (yTicks.last() - yTicks.first()) * (bottom - top);
        }
    }

    private void axes(StringBuilder svg, Frame f) {
        svg.append("<g class=\"grid\" stroke=\"#e8e8e8\" stroke-width=\"1\">");
        for (double v : f.yTicks().values()) {
            svg.append(line(f.left(), f.y(v), f.right(), f.y(v)));
        }
        svg.append("</g>\n<g class=\"axes\" stroke=\"#555\" stroke-width=\"1\">")
                .append(line(f.left(), f.top(), f.left(), f.bottom()))
                .append(line(f.left(), f.bottom(), f.right(), f.bottom()));
        for (double v : f.xTicks().values()) {
            svg.append(line(f.x(v), f.bottom(), f.x(v), f.bottom() + 5));
        }
        for (double v : f.yTicks().values()) {
            svg.append(line(f.left() - 5, f.y(v), f.left(), f.y(v)));
        }
        svg.append("</g>\n<g class=\"ticks\" fill=\"#444\" font-size=\"11\">");
        for (double v : f.xTicks().values()) {
            svg.append(text(f.x(v), f.bottom() + 18, "middle", f.xTicks().label(v)));
        }
        for (double v : f.yTicks().values()) {
            svg.append(text(f.left() - 8, f.y(v) + 4, "end", f.yTicks().label(v)));
        }
        svg.append("</g>\n");
        if (!xLabel.isEmpty()) {
            svg.append("<g fill=\"#222\">").append(text((f.left() + f.right()) / 2, height - 8, "middle", xLabel)).append("</g>\n");
        }
        if (!yLabel.isEmpty()) {
            double cy = (f.top() + f.bottom()) / 2;
            svg.append("<text transform=\"rotate(-90 ").append(num(16)).append(' ').append(num(cy)).append(")\" x=\"")
                    .append(num(16)).append("\" y=\"").append(num(cy)).append("\" text-anchor=\"middle\" fill=\"#222\">")
                    .append(Html.escape(yLabel)).append("</text>\n");
        }
    }

    /** One path per series, a new subpath after each gap; dots where a point has no line to show it. */
    private void seriesPath(StringBuilder svg, Frame f, int s) {
        Series points = series.get(s);
        StringBuilder d = new StringBuilder();
        StringBuilder dots = new StringBuilder();
        boolean markAll = points.finiteCount() <= MAX_MARKED_POINTS;
        for (int i = 0; i < points.x().length; i++) {
            if (!points.finite(i)) {
                continue;
            }
            double px = f.x(points.x()[i]);
            double py = f.y(points.y()[i]);
            d.append(points.finite(i - 1) ? 'L' : 'M').append(num(px)).append(',').append(num(py));
            if (markAll || (!points.finite(i - 1) && !points.finite(i + 1))) {
                dots.append("<circle cx=\"").append(num(px)).append("\" cy=\"").append(num(py)).append("\" r=\"3\"/>");
            }
        }
        String color = COLORS[s % COLORS.length];
        svg.append("<path class=\"series\" data-series=\"").append(Html.escape(points.name())).append("\" d=\"").append(d)
                .append("\" fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" stroke-linejoin=\"round\"")
                .append(dash(s)).append("/>\n");
        if (dots.length() > 0) {
            svg.append("<g class=\"markers\" fill=\"").append(color).append("\">").append(dots).append("</g>\n");
        }
    }

    /** The legend laid out in rows across the plot's width; a swatch of line and the series name. */
    private List<String> legendRows() {
        List<String> rows = new ArrayList<>();
        double limit = width - RIGHT;
        double x = LEFT;
        StringBuilder row = new StringBuilder();
        for (int s = 0; s < series.size(); s++) {
            String name = series.get(s).name();
            double itemWidth = 28 + name.length() * CHAR_WIDTH + 18;
            if (x > LEFT && x + itemWidth > limit) {
                rows.add(row.toString());
                row.setLength(0);
                x = LEFT;
            }
            double y = (title.isEmpty() ? 14 : 38) + 18 * rows.size();
            if (row.length() == 0) {
                row.append("<g class=\"legend\">");
            }
            row.append("<line x1=\"").append(num(x)).append("\" y1=\"").append(num(y - 4)).append("\" x2=\"").append(num(x + 22))
                    .append("\" y2=\"").append(num(y - 4)).append("\" stroke=\"").append(COLORS[s % COLORS.length])
                    .append("\" stroke-width=\"3\"").append(dash(s)).append("/>")
                    .append(text(x + 28, y, "start", name));
            x += itemWidth;
        }
        if (row.length() > 0) {
            rows.add(row.toString());
        }
        rows.replaceAll(r -> r + "</g>\n");
        return rows;
    }

    /** [lo, hi] of the finite values on one axis (and, for y, the values it must include), or [0, 1]. */
    private double[] range(boolean xAxis) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series line : series) {
            for (int i = 0; i < line.x().length; i++) {
                if (line.finite(i)) {
                    double v = xAxis ? line.x()[i] : line.y()[i];
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (!xAxis) {
            for (double v : includeY) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return lo <= hi ? new double[] {lo, hi} : new double[] {0, 1};
    }

    /** Whether every x is a whole number (epochs, steps): then the x axis has no ticks between them. */
    private boolean integral() {
        for (Series line : series) {
            for (int i = 0; i < line.x().length; i++) {
                if (line.finite(i) && line.x()[i] != Math.rint(line.x()[i])) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String dash(int s) {
        return s < COLORS.length ? "" : " stroke-dasharray=\"6 4\"";
    }

    private static String line(double x1, double y1, double x2, double y2) {
        return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) + "\"/>";
    }

    private static String text(double x, double y, String anchor, String text) {
        return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\">" + Html.escape(text) + "</text>";
    }

    /** Two decimals in a fixed locale: enough for pixels, and the same bytes on every machine. */
    private static String num(double v) {
        String text = String.format(Locale.ROOT, "%.2f", v);
        return text.equals("-0.00") ? "0.00" : text;
    }
}
