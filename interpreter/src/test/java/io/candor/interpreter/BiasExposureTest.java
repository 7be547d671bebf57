package io.candor.interpreter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.candor.interop.exec.Executor;
import io.candor.interop.tensor.HostTensor;
import org.junit.jupiter.api.Test;

/** Linear attributes whose gradients are known: one reads the masked corner only, one the rest, one both. */
class BiasExposureTest {
    // A 2 x 2 image; the mask is its top-left pixel.
    private static final float[][] WEIGHTS = {{2, 0, 0, 0}, {0, 1, 1, -1}, {1, 0, 0, 3}};

    @Test
    void theAttributeThatReadsTheMaskIsNamedWithItsShare() {
        float[] x = {1, 2, 3, 4, 0, 1, 0, 1, 5, 5, 5, 5};
        try (Executor ex = Executor.of(AttributeAttributionTest.linear(1, 2, 2, WEIGHTS))) {
            HostTensor mask = HostTensor.ofFloats(new long[] {1, 2, 2}, 1, 0, 0, 0);
            BiasExposure.Result r = BiasExposure.measure(AttributeAttribution.of(ex), HostTensor.ofFloats(new long[] {3, 1, 2, 2}, x),
                    mask, 2);
            // |dPhi/dx| inside over total: 2/2, 0/3, 1/4, the same on every sample.
            assertArrayEquals(new double[] {1, 0, 0.25}, r.shares(), 1e-6);
            assertEquals(0, r.most());
            assertEquals(0.25, r.area(), 1e-12);
            assertEquals(2, r.samples());
        }
    }

    @Test
    void perSampleMasksCountOnlyTheSamplesThatCarryOne() {
        // Sample 0 has no mask, sample 1 the top-left pixel, sample 2 the bottom-right one.
        HostTensor masks = HostTensor.ofFloats(new long[] {3, 1, 2, 2}, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1);
        float[] x = {9, 9, 9, 9, 1, 0, 0, 0, 0, 0, 0, 1};
        try (Executor ex = Executor.of(AttributeAttributionTest.linear(1, 2, 2, WEIGHTS))) {
            BiasExposure.Result r = BiasExposure.measure(AttributeAttribution.of(ex), HostTensor.ofFloats(new long[] {3, 1, 2, 2}, x),
                    masks, 5);
            assertEquals(2, r.samples(), "two samples carry a mask");
            // Attribute 2 (weights 1 and 3 at the corners): (1/4 + 3/4) / 2 on samples 1 and 2; attribute 0: (1 + 0) / 2.
            assertArrayEquals(new double[] {0.5, 1 / 6.0, 0.5}, r.shares(), 1e-6);
            assertEquals(0.25, r.area(), 1e-12);
        }
    }
}
