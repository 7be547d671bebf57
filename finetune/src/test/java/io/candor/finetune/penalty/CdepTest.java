package io.candor.finetune.penalty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import org.junit.jupiter.api.Test;

/** CDEP's penalty on a model small enough to work out by hand. */
class CdepTest {
    /** logits = x W^T with W = I (2 x 2), no bias. */
    private static OnnxModel identity() {
        GraphBuilder g = new GraphBuilder("identity", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2);
        g.node("Gemm", "y", new String[] {x, g.initializer("w", HostTensor.ofFloats(new long[] {2, 2}, 1, 0, 0, 1))},
                "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 2);
        return g.buildModel();
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void theRegionsShareOfEveryLogitAveragedOverPenalisedSamples() {
        try (Executor ex = Executor.of(identity()); NDManager m = Engines.newManager()) {
            // Sample 0 marks feature 0 spurious; sample 1 marks nothing and is not penalised.
            NDArray x = m.create(new float[] {1, 2, 3, -1}, new Shape(2, 2));
            NDArray spurious = m.create(new float[] {1, 0, 0, 0}, new Shape(2, 2));
            NDArray w = ex.weight("w");
            w.setRequiresGradient(true);
            float value;
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                NDArray p = new Cdep().value(ex, m, x, null, spurious);
                value = p.getFloat();
                gc.backward(p);
            }
            // beta = W (x * mask) = [1, 0], gamma = W (x * (1 - mask)) = [0, 2]: mean of sigmoid(beta - gamma).
            assertEquals((sigmoid(1) + sigmoid(-2)) / 2, value, 1e-6);
            // beta_k - gamma_k = W_k . (x (2 mask - 1)) = W_k . [1, -2], so d/dW_k = sigmoid'(z_k) [1, -2] / 2.
            double d0 = sigmoid(1) * (1 - sigmoid(1)) / 2;
            double d1 = sigmoid(-2) * (1 - sigmoid(-2)) / 2;
            try (NDArray g = w.getGradient()) {
                assertArrayEquals(new float[] {(float) d0, (float) (-2 * d0), (float) d1, (float) (-2 * d1)},
                        g.toFloatArray(), 1e-6f);
                g.subi(g);
            }
            w.setRequiresGradient(false);
            assertNull(new Cdep().value(ex, m, x, null, m.zeros(new Shape(2, 2))), "no marked sample, no penalty");
        }
    }
}
