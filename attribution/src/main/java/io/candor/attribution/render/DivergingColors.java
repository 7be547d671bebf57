package io.candor.attribution.render;

/**
 * A blue-white-red colour map for signed attributions: negative values blue, zero white, positive red,
 * symmetric around zero so the sign reads at a glance.
 */
public final class DivergingColors {
    private static final int[] NEGATIVE = {33, 102, 172};
    private static final int[] ZERO = {247, 247, 247};
    private static final int[] POSITIVE = {178, 24, 43};

    private DivergingColors() {
    }

    /** RGB of {@code t} in [-1, 1] (clamped). */
    public static int rgb(double t) {
        double c = Math.max(-1, Math.min(1, t));
        int[] end = c < 0 ? NEGATIVE : POSITIVE;
        double k = Math.abs(c);
        int r = (int) Math.round(ZERO[0] + (end[0] - ZERO[0]) * k);
        int g = (int) Math.round(ZERO[1] + (end[1] - ZERO[1]) * k);
        int b = (int) Math.round(ZERO[2] + (end[2] - ZERO[2]) * k);
        return (r << 16) | (g << 8) | b;
    }

    /** CSS colour of {@code t} in [-1, 1]. */
    public static String css(double t) {
        return String.format("#%06x", rgb(t));
    }
}
