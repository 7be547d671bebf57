package io.candor.attribution.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * "Nice" axis ticks (Heckbert's loose labelling): steps of 1, 2 or 5 times a power of ten, the axis
 * widened to whole steps so every point lies between two labelled ticks.
 *
 * @param values the tick positions, first and last bounding the data
 * @param step the distance between ticks
 */
record Ticks(List<Double> values, double step) {
    /**
     * @param lo smallest value to show (finite)
     * @param hi largest value to show (finite, may equal lo)
     * @param target about how many ticks
     * @param integers whether only whole numbers are meaningful (epochs), so steps are at least 1
     */
    static Ticks of(double lo, double hi, int target, boolean integers) {
        if (hi < lo) {
            throw new IllegalArgumentException("tick range " + lo + " > " + hi);
        }
        if (hi == lo) {
            // A flat series still needs an axis: open a window around it.
            double pad = integers ? 1 : lo == 0 ? 1 : Math.abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }
        double step = nice((hi - lo) / Math.max(1, target - 1));
        if (integers) {
            step = Math.max(1, step);
        }
        long first = (long) Math.floor(lo / step + 1e-9);
        long last = (long) Math.ceil(hi / step - 1e-9);
        List<Double> values = new ArrayList<>();
        for (long k = first; k <= last; k++) {
            values.add(k * step); // index times step: no drift from repeated additions
        }
        return new Ticks(List.copyOf(values), step);
    }

    double first() {
        return values.get(0);
    }

    double last() {
        return values.get(values.size() - 1);
    }

    /** A tick's label with just enough decimals for the step: 0.25 -> "0.25", 2 -> "2". */
    String label(double value) {
        double magnitude = Math.max(Math.abs(first()), Math.abs(last()));
        if (magnitude >= 1e6 || step < 1e-4) {
            return String.format(Locale.ROOT, "%.2g", value);
        }
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        String text = String.format(Locale.ROOT, "%." + decimals + "f", value);
        return text.matches("-0(\\.0*)?") ? text.substring(1) : text;
    }

    /** The nearest of 1, 2, 5 times a power of ten to {@code rough}. */
    private static double nice(double rough) {
        double power = Math.pow(10, Math.floor(Math.log10(rough)));
        double fraction = rough / power;
        double nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
        return nice * power;
    }
}
