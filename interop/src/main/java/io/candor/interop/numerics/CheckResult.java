package io.candor.interop.numerics;

/** One comparison of a kernel with its loop reference: what was compared, its relative error, the limit. */
public record CheckResult(String what, double error, double tolerance) {
    /** False for an error above the tolerance and for NaN. */
    public boolean passed() {
        return error <= tolerance;
    }

    /** max |actual - expected| / max |expected|: the relative error the parity targets are stated in. */
    public static CheckResult compare(String what, float[] actual, float[] expected, double tolerance) {
        if (actual.length != expected.length) {
            return new CheckResult(what + " (length " + actual.length + " instead of " + expected.length + ")",
                    Double.NaN, tolerance);
        }
        double diff = 0;
        double scale = 1e-12;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            diff = Double.isNaN(d) ? Double.NaN : Math.max(diff, d);
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return new CheckResult(what, diff / scale, tolerance);
    }

    @Override
    public String toString() {
        return String.format("%s: relative error %.2g (limit %.0e)", what, error, tolerance);
    }
}
