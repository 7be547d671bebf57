package io.candor.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.data.DatasetSplit;
import org.junit.jupiter.api.Test;

class SwapTestTest {
    /** logits = [-x_k, x_k]: class 1 exactly when feature k is positive. */
    private static OnnxModel readsFeature(int k) {
        float[] w = new float[4];
        w[k] = -1;
        w[2 + k] = 1;
        GraphBuilder g = new GraphBuilder("reads" + k, 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2);
        g.node("Gemm", "y", new String[] {x, g.initializer("w", HostTensor.ofFloats(new long[] {2, 2}, w))}, "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 2);
        return g.buildModel();
    }

    /** Four samples whose spurious feature 0 and real feature 1 both give the label. */
    private static DatasetSplit data(HostTensor mask) {
        return new DatasetSplit(HostTensor.ofFloats(new long[] {4, 2}, 1, 2, -1, -2, 3, 1, -2, -1),
                HostTensor.ofLongs(new long[] {4}, 1, 0, 1, 0), mask);
    }

    @Test
    void aModelThatReadsTheMarkedFeatureFollowsItAndOneThatDoesNotKeepsItsAnswers() {
        HostTensor feature0 = HostTensor.ofFloats(new long[] {2}, 1, 0);
        try (Executor biased = Executor.of(readsFeature(0)); Executor sound = Executor.of(readsFeature(1))) {
            SwapTest b = SwapTest.of(biased, data(feature0), 4);
            assertEquals(4, b.pairs());
            assertEquals(1.0, b.followed(), 1e-12);
            assertEquals(1.0, b.changed(), 1e-12);
            SwapTest s = SwapTest.of(sound, data(feature0), 4);
            assertEquals(0.0, s.followed(), 1e-12);
            assertEquals(0.0, s.changed(), 1e-12);
            assertNull(SwapTest.of(biased, data(null), 4), "nothing marked, nothing to swap");
        }
    }

    @Test
    void tokensTakeThePartnersFirstMarkedTokenInEveryMarkedPlace() {
        try (NDManager m = Engines.newManager()) {
            NDArray x = m.create(new long[] {5, 7, 0, 9, 3, 4}, new Shape(2, 3));
            NDArray mask = m.create(new float[] {0, 1, 0, 1, 0, 0}, new Shape(2, 3));
            assertArrayEquals(new int[] {1, 0}, SwapTest.partners(mask, x, new long[] {1, 0}));
            assertArrayEquals(new long[] {5, 9, 0, 7, 3, 4}, SwapTest.swap(x, mask, new int[] {1, 0}).toLongArray());
            assertArrayEquals(new int[] {-1, -1}, SwapTest.partners(mask, x, new long[] {1, 1}), "no partner with another label");
        }
    }
}
