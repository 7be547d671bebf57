package io.candor.interop.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

/** Test helpers: seeded random arrays and a relative-error assertion. */
public final class Arrays2 {
    private Arrays2() {
    }

    public static float[] random(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /** max |a - b| / max(max |b|, 1e-6), the relative error the parity targets are stated in. */
    public static double relativeError(float[] actual, float[] expected) {
        assertEquals(expected.length, actual.length, "length");
        double maxDiff = 0;
        double scale = 1e-6;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return maxDiff / scale;
    }

    /** ||a - b|| / ||b|| over all elements; NaN if any element is NaN. */
    public static double relativeL2Error(float[] actual, float[] expected) {
        assertEquals(expected.length, actual.length, "length");
        double diff = 0;
        double norm = 1e-30;
        for (int i = 0; i < expected.length; i++) {
            double d = actual[i] - expected[i];
            diff += d * d;
            norm += (double) expected[i] * expected[i];
        }
        return Math.sqrt(diff / norm);
    }

    public static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        double err = relativeError(actual, expected);
        if (!(err <= tolerance)) {
            fail(what + ": relative error " + err + " exceeds " + tolerance);
        }
    }
}
