package io.candor.finetune.penalty;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** RR-ClArC's penalty by hand on a linear model, and its gradient in the weights against central differences. */
class RrClarcTest {
    private static final float[] V = {0.6f, 0.8f, 0f};
    private static final float[] A = {1, 2, -1, 0.5f, -2, 3};
    private static final long[] LABELS = {0, 1};

    /** logits = relu(a W1^T) W2^T with a [N, 3], W1 [4, 3], W2 [2, 4]; or a W^T alone. */
    private static OnnxModel model(float[] w1, float[] w2) {
        GraphBuilder g = new GraphBuilder("suffix", 13);
        String a = g.input("a", DataType.FLOAT32, -1, 3);
        String h = g.node("Gemm", "fc1", new String[] {a, g.initializer("w1", HostTensor.ofFloats(new long[] {w1.length / 3, 3},
                w1))}, "transB", 1L);
        if (w2 != null) {
            h = g.node("Relu", "relu", new String[] {h});
            h = g.node("Gemm", "fc2", new String[] {h, g.initializer("w2", HostTensor.ofFloats(new long[] {2, 4}, w2))},
                    "transB", 1L);
        }
        g.output(h, DataType.FLOAT32, -1, 2);
        return g.buildModel();
    }

    private static NDArray penalty(Executor ex, NDManager m, String output) {
        NDArray a = m.create(A, new Shape(2, 3));
        RrClarc rr = new RrClarc(V);
        InputGradient.Pass pass = new InputGradient(ex).forward(m, Map.of("a", a), "a", output);
        NDArray seed = rr.seed(pass.output(), m.create(LABELS), new CrossEntropy(null));
        return rr.fromInputGradient(pass.inputGradient(seed), null);
    }

    @Test
    void theTrueClassLogitsGradientAlongTheConceptSquared() {
        // Linear: d f_y / d a = W[y], whatever a is. W = [[1, 2, 3], [-1, 0, 4]]:
        // sample 0 (y = 0): v . W[0] = 0.6 + 1.6 = 2.2; sample 1 (y = 1): v . W[1] = -0.6. Mean of squares:
        // (4.84 + 0.36) / 2 = 2.6.
        try (Executor ex = Executor.of(model(new float[] {1, 2, 3, -1, 0, 4}, null)); NDManager m = Engines.newManager()) {
            assertEquals(2.6, penalty(ex, m, "fc1").getFloat(), 1e-5);
        }
    }

    @Test
    void itsGradientInTheWeightsMatchesCentralDifferences() {
        float[] w1 = {0.5f, -0.3f, 0.2f, 0.8f, 0.1f, -0.6f, 0.4f, 0.7f, -0.2f, -0.5f, 0.9f, 0.3f};
        float[] w2 = {0.3f, -0.7f, 0.5f, 0.2f, -0.4f, 0.6f, 0.1f, -0.8f};
        float[] analytic;
        try (Executor ex = Executor.of(model(w1, w2)); NDManager m = Engines.newManager()) {
            NDArray w = ex.weight("w1");
            w.setRequiresGradient(true);
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                gc.backward(penalty(ex, m, "fc2"));
            }
            try (NDArray g = w.getGradient()) {
                analytic = g.toFloatArray();
            }
        }
        double h = 1e-3;
        for (int i = 0; i < w1.length; i++) {
            double[] r = new double[2];
            for (int s = 0; s < 2; s++) {
                float[] shifted = w1.clone();
                shifted[i] += (float) (s == 0 ? h : -h);
                try (Executor ex = Executor.of(model(shifted, w2)); NDManager m = Engines.newManager()) {
                    r[s] = penalty(ex, m, "fc2").getFloat();
                }
            }
            double numeric = (r[0] - r[1]) / (2 * h);
            assertEquals(numeric, analytic[i], 1e-4 + 1e-3 * Math.abs(numeric), "dP/dW1[" + i + "]");
        }
    }
}
