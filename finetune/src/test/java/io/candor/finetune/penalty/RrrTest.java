package io.candor.finetune.penalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.candor.finetune.CrossEntropy;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.exec.vjp.InputGradient;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RRR on a model small enough to work out by hand, and its gradient against finite differences. */
class RrrTest {
    /** logits = x W^T, W 2 x 2. */
    private static OnnxModel linear(float... w) {
        GraphBuilder g = new GraphBuilder("linear", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2);
        g.node("Gemm", "y", new String[] {x, g.initializer("w", HostTensor.ofFloats(new long[] {2, 2}, w))}, "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 2);
        return g.buildModel();
    }

    /** R for one sample x = (1, 2), label 0, feature 0 marked. */
    private static float penalty(Executor ex, NDManager m) {
        NDArray x = m.create(new float[] {1, 2}, new Shape(1, 2));
        NDArray y = m.create(new long[] {0});
        CrossEntropy ce = new CrossEntropy(null);
        InputGradient.Pass pass = new InputGradient(ex).forward(m, Map.of("x", x), "x", "y");
        NDArray g = pass.inputGradient(ce.gradient(pass.output(), y));
        return new Rrr().fromInputGradient(g, m.create(new float[] {1, 0}, new Shape(1, 2))).getFloat();
    }

    @Test
    void theSquaredCrossEntropyGradientOnTheMarkedFeatures() {
        try (Executor ex = Executor.of(linear(1, 0, 0, 1)); NDManager m = Engines.newManager()) {
            // W = I: logits = x = (1, 2), p = softmax; dCE/dx = p - e_0 = (p0 - 1, p1); R = (p0 - 1)^2 = p1^2.
            double p1 = Math.exp(2) / (Math.exp(1) + Math.exp(2));
            assertEquals(p1 * p1, penalty(ex, m), 1e-6);
        }
    }

    @Test
    void itsGradientInTheWeightsMatchesFiniteDifferences() {
        float[] w0 = {0.5f, -0.3f, 0.2f, 0.8f};
        float[] analytic;
        try (Executor ex = Executor.of(linear(w0)); NDManager m = Engines.newManager()) {
            NDArray w = ex.weight("w");
            w.setRequiresGradient(true);
            NDArray x = m.create(new float[] {1, 2}, new Shape(1, 2));
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                CrossEntropy ce = new CrossEntropy(null);
                InputGradient.Pass pass = new InputGradient(ex).forward(m, Map.of("x", x), "x", "y");
                NDArray g = pass.inputGradient(ce.gradient(pass.output(), m.create(new long[] {0})));
                gc.backward(new Rrr().fromInputGradient(g, m.create(new float[] {1, 0}, new Shape(1, 2))));
            }
            try (NDArray g = w.getGradient()) {
                analytic = g.toFloatArray();
            }
        }
        double h = 1e-3;
        for (int i = 0; i < 4; i++) {
            double[] r = new double[2];
            for (int s = 0; s < 2; s++) {
                float[] w = w0.clone();
                w[i] += (float) (s == 0 ? h : -h);
                try (Executor ex = Executor.of(linear(w)); NDManager m = Engines.newManager()) {
                    r[s] = penalty(ex, m);
                }
            }
            double numeric = (r[0] - r[1]) / (2 * h);
            assertEquals(numeric, analytic[i], 1e-4 + 1e-3 * Math.abs(numeric), "dR/dW[" + i + "]");
        }
        assertTrue(Math.abs(analytic[0]) > 1e-3, "the penalty depends on the weights");
    }

    @Test
    void aSharedImageMaskCountsAPixelOnceWhateverItsChannels() {
        try (NDManager m = Engines.newManager()) {
            // gradient [1, 2, 1, 2]: channel sums per pixel (1 + 3, 2 + 4) = (4, 6); pixel 0 marked: 16.
            NDArray g = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 2, 1, 2));
            assertEquals(16f, new Rrr().fromInputGradient(g, m.create(new float[] {1, 0}, new Shape(1, 1, 2))).getFloat(), 1e-6);
            NDArray perChannel = m.create(new float[] {0, 0, 1, 0}, new Shape(1, 2, 1, 2));
            assertEquals(16f, new Rrr().fromInputGradient(g, perChannel).getFloat(), 1e-6);
        }
    }
}
