package io.candor.interpreter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.testing.Arrays2;
import org.junit.jupiter.api.Test;

class ActivationMaximisationTest {
    /** Two attributes on a 4 x 4 image: W = +-3 in two different sign patterns. */
    private static float[][] weights() {
        float[][] w = new float[2][16];
        for (int i = 0; i < 16; i++) {
            w[0][i] = (i % 3 == 0) ? 3 : -3;
            w[1][i] = (i / 4 % 2 == 0) ? -3 : 3;
        }
        return w;
    }

    @Test
    void theObjectiveClimbsAndThePictureMovesAlongTheSignOfItsWeights() {
        float[][] w = weights();
        float[] x = Arrays2.random(7, 32);
        HostTensor samples = HostTensor.ofFloats(new long[] {2, 1, 4, 4}, x);
        try (Executor ex = Executor.of(AttributeAttributionTest.linear(1, 4, 4, w))) {
            // Wide bounds: B stays 0; TV's gradient (at most 6 x 4/12 = 2 a pixel) is below C |W| = 6.
            ActivationMaximisation am = new ActivationMaximisation(ex, "input", InterpreterGraph.ATTRIBUTES, -100, 100,
                    ActivationMaximisation.Settings.flint().withSteps(2, 20));
            ActivationMaximisation.Result r = am.maximise(samples, new int[] {0, 1});
            double[] h = r.objective();
            assertEquals(41, h.length);
            assertTrue(h[40] > h[0] + 1, "objective " + h[0] + " -> " + h[40]);
            for (int t = 1; t < h.length; t++) {
                assertTrue(h[t] >= h[t - 1] - 1e-4, "step " + t + ": " + h[t - 1] + " -> " + h[t]);
            }
            float[] out = r.images().toFloatArray();
            assertArrayEquals(new long[] {2, 1, 4, 4}, r.images().shape());
            for (int n = 0; n < 2; n++) {
                for (int i = 0; i < 16; i++) {
                    float moved = out[n * 16 + i] - 0.3f * x[n * 16 + i];
                    assertTrue(moved * Math.signum(w[n][i]) > 0, "sample " + n + " pixel " + i + " moved " + moved);
                }
            }
            // The reported last value is the objective at the result.
            float[] at = am.objective(r.images(), new int[] {0, 1});
            assertEquals(h[40], (at[0] + at[1]) / 2, 1e-3);
        }
    }

    @Test
    void theBoundTermPullsValuesBackIntoTheDataRange() {
        float[] x = new float[16];
        java.util.Arrays.fill(x, 5);
        try (Executor ex = Executor.of(AttributeAttributionTest.linear(1, 4, 4, weights()))) {
            // Only B: C = 0, no TV; start at 5 (scale 1), the data lie in [-1, 1]. B's gradient is the same
            // at every step, so Adam moves each pixel by exactly lr a step: 15 x 0.05, then 15 x 0.025.
            ActivationMaximisation am = new ActivationMaximisation(ex, "input", InterpreterGraph.ATTRIBUTES, -1, 1,
                    new ActivationMaximisation.Settings(1, 0, 0, 10, 2, 15, 0.05f));
            float[] out = am.maximise(HostTensor.ofFloats(new long[] {1, 1, 4, 4}, x), 0).images().toFloatArray();
            for (float v : out) {
                assertEquals(5 - 15 * 0.05f - 15 * 0.025f, v, 1e-3f, "down by lr a step, halved in round 2");
            }
        }
    }

    @Test
    void totalVariationAndBoundByHand() {
        // x = [[-3, 2], [4, 8]]: vertical |4 + 3|, |8 - 2| -> mean 6.5; horizontal |2 + 3|, |8 - 4| -> 4.5.
        // B on [-2, 5]: -3 and 8 lie outside -> (3 + 8) / 4 = 2.75. The second sample is flat and inside.
        HostTensor x = HostTensor.ofFloats(new long[] {2, 1, 2, 2}, -3, 2, 4, 8, 1, 1, 1, 1);
        try (NDManager m = Engines.newManager()) {
            float[] tv = ActivationMaximisation.totalVariation(x.toNDArray(m)).toFloatArray();
            assertArrayEquals(new float[] {11, 0}, tv, 1e-6f);
            float[] b = ActivationMaximisation.boundPenalty(x.toNDArray(m), -2, 5).toFloatArray();
            assertArrayEquals(new float[] {2.75f, 0}, b, 1e-6f);
        }
        // The objective: Phi_0 = 1 (-3) + 2 (2) + 3 (4) + 4 (8) - 1 = 44 -> 2 x 44 - 6 x 11 - 10 x 2.75 = -5.5.
        float[][] w = {{1, 2, 3, 4}, {0, 0, 0, 0}};
        try (Executor ex = Executor.of(AttributeAttributionTest.linear(1, 2, 2, w))) {
            ActivationMaximisation am = ActivationMaximisation.of(ex, -2, 5);
            float[] objective = am.objective(HostTensor.ofFloats(new long[] {1, 1, 2, 2}, -3, 2, 4, 8), new int[] {0});
            assertEquals(-5.5f, objective[0], 1e-5f);
        }
        assertArrayEquals(new float[] {-3, 8}, ActivationMaximisation.range(x), 0f);
    }
}
