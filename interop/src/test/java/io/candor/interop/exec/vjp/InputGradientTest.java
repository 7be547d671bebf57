package io.candor.interop.exec.vjp;

import static io.candor.interop.testing.Arrays2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.testing.Arrays2;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The explicit input gradient against autograd's, and its own gradient against finite differences. */
class InputGradientTest {
    /**
     * x [N,3,9,9] -> Conv(5, 3x3, stride 2, pads 1,0,2,1) -> Relu -> Conv(6, 2x2) -> Relu -> MaxPool 2x2
     * -> Flatten -> Gemm(4, transB) -> Relu -> Gemm(3, no transB).
     */
    static OnnxModel cnn() {
        GraphBuilder g = new GraphBuilder("vjp-cnn", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 3, 9, 9);
        String c1 = g.node("Conv", "c1", new String[] {x, w(g, "w1", 1, 5, 3, 3, 3), w(g, "b1", 2, 5)},
                "strides", new long[] {2, 2}, "pads", new long[] {1, 0, 2, 1});
        // (9 + 1 + 2 - 3) / 2 + 1 = 5 rows, (9 + 0 + 1 - 3) / 2 + 1 = 4 columns
        String c2 = g.node("Conv", "c2", new String[] {g.node("Relu", "r1", new String[] {c1}), w(g, "w2", 3, 6, 5, 2, 2)});
        String p = g.node("MaxPool", "p", new String[] {g.node("Relu", "r2", new String[] {c2})},
                "kernel_shape", new long[] {2, 1}, "strides", new long[] {2, 1});
        String f = g.node("Flatten", "f", new String[] {p});
        String h = g.node("Relu", "h", new String[] {g.node("Gemm", "fc1", new String[] {f, w(g, "fw1", 4, 4, 36),
            w(g, "fb1", 5, 4)}, "transB", 1L)});
        g.node("Gemm", "y", new String[] {h, w(g, "fw2", 6, 4, 3)});
        g.output("y", DataType.FLOAT32, -1, 3);
        return g.buildModel();
    }

    private static String w(GraphBuilder g, String name, long seed, long... shape) {
        int n = (int) HostTensor.elementCount(shape);
        float[] v = random(seed, n);
        for (int i = 0; i < n; i++) {
            v[i] *= 0.6f;
        }
        return g.initializer(name, HostTensor.ofFloats(shape, v));
    }

    @Test
    void equalsAutogradsInputGradient() {
        try (Executor ex = Executor.of(cnn()); NDManager m = Engines.newManager()) {
            NDArray x = m.create(random(11, 2 * 3 * 81), new Shape(2, 3, 9, 9));
            NDArray seed = m.create(random(12, 6), new Shape(2, 3));
            float[] autograd = ex.gradients(m, Map.of("x", x), "y", seed, List.of("x")).get("x").toFloatArray();
            InputGradient.Pass pass = new InputGradient(ex).forward(m, Map.of("x", x), "x", "y");
            float[] explicit = pass.inputGradient(seed).toFloatArray();
            Arrays2.assertClose(autograd, explicit, 1e-5, "input gradient");
            assertTrue(Arrays2.relativeError(explicit, new float[explicit.length]) > 0.1, "not all zero");
        }
    }

    /** R(w) = sum of the squared input gradient: its derivative by autograd against central differences. */
    @Test
    void isDifferentiableInTheWeights() {
        try (Executor ex = Executor.of(cnn()); NDManager m = Engines.newManager()) {
            NDArray x = m.create(random(21, 3 * 81), new Shape(1, 3, 9, 9));
            NDArray seed = m.create(new float[] {1, -0.5f, 0.25f}, new Shape(1, 3));
            InputGradient grad = new InputGradient(ex);
            NDArray w = ex.weight("fw1");
            w.setRequiresGradient(true);
            float[] dR;
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                NDArray r = grad.forward(m, Map.of("x", x), "x", "y").inputGradient(seed).square().sum();
                gc.backward(r);
            }
            try (NDArray g = w.getGradient()) {
                dR = g.toFloatArray();
                g.subi(g);
            }
            w.setRequiresGradient(false);
            double h = 1e-2;
            for (int i : new int[] {0, 7, 20, 100}) {
                double[] r = new double[2];
                for (int s = 0; s < 2; s++) {
                    float[] values = w.toFloatArray();
                    values[i] += (float) (s == 0 ? h : -h);
                    w.muli(0).addi(m.create(values, w.getShape()));
                    r[s] = grad.forward(m, Map.of("x", x), "x", "y").inputGradient(seed).square().sum().getFloat();
                    values[i] -= (float) (s == 0 ? h : -h);
                    w.muli(0).addi(m.create(values, w.getShape()));
                }
                double numeric = (r[0] - r[1]) / (2 * h);
                assertEquals(numeric, dR[i], 2e-3 + 2e-2 * Math.abs(numeric), "dR/dw[" + i + "]");
            }
        }
    }

    @Test
    void anOpWithoutARuleIsNamed() {
        GraphBuilder g = new GraphBuilder("sig", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2);
        g.node("Sigmoid", "y", new String[] {x});
        g.output("y", DataType.FLOAT32, -1, 2);
        try (Executor ex = Executor.of(g.buildModel()); NDManager m = Engines.newManager()) {
            NDArray x0 = m.create(new float[] {1, 2}, new Shape(1, 2));
            CandorException e = assertThrows(CandorException.class,
                    () -> new InputGradient(ex).forward(m, Map.of("x", x0), "x", "y").inputGradient(x0.onesLike()));
            assertTrue(e.getMessage().contains("Sigmoid"), e.getMessage());
        }
    }

    @Test
    void anInputThatReachesAnOpOtherThanFirstIsRefusedNotDropped() {
        // y = W x as Gemm(W, x, transB): the input is the op's second operand, which no rule follows.
        GraphBuilder g = new GraphBuilder("second", 13);
        String x = g.input("x", DataType.FLOAT32, 2, 2);
        g.node("Gemm", "y", new String[] {g.initializer("w", HostTensor.ofFloats(new long[] {2, 2}, 1, 2, 3, 4)), x});
        g.output("y", DataType.FLOAT32, 2, 2);
        try (Executor ex = Executor.of(g.buildModel()); NDManager m = Engines.newManager()) {
            NDArray x0 = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            CandorException e = assertThrows(CandorException.class,
                    () -> new InputGradient(ex).forward(m, Map.of("x", x0), "x", "y").inputGradient(x0.onesLike()));
            assertTrue(e.getMessage().contains("other than the first"), e.getMessage());
        }
    }
}
