package io.candor.interop.exec;

import static io.candor.interop.testing.Arrays2.assertClose;
import static io.candor.interop.testing.Arrays2.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.testing.OneOp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecutorTest {
    /** x [N,1,6,6] -> Conv(2,3x3,pad 1) -> Tanh ("h") -> MaxPool 2 -> Flatten -> Gemm(18->3) ("logits"). */
    static OnnxModel tinyCnn() {
        GraphBuilder g = new GraphBuilder("tiny", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 1, 6, 6);
        String w = g.initializer("conv.w", HostTensor.ofFloats(new long[] {2, 1, 3, 3}, random(1, 18)));
        String b = g.initializer("conv.b", HostTensor.ofFloats(new long[] {2}, random(2, 2)));
        String c = g.node("Conv", "c", new String[] {x, w, b}, "pads", new long[] {1, 1, 1, 1});
        String h = g.node("Tanh", "h", new String[] {c});
        String p = g.node("MaxPool", "p", new String[] {h}, "kernel_shape", new long[] {2, 2},
                "strides", new long[] {2, 2});
        String f = g.node("Flatten", "f", new String[] {p});
        String fw = g.initializer("fc.w", HostTensor.ofFloats(new long[] {3, 18}, random(3, 54)));
        String fb = g.initializer("fc.b", HostTensor.ofFloats(new long[] {3}, random(4, 3)));
        g.node("Gemm", "logits", new String[] {f, fw, fb}, "transB", 1L);
        g.output("logits", DataType.FLOAT32, -1, 3);
        return g.buildModel();
    }

    @Test
    void inputGradientMatchesCentralDifferences() {
        try (Executor ex = Executor.of(tinyCnn()); NDManager m = Engines.newManager()) {
            float[] xv = random(5, 2 * 36);
            NDArray x = m.create(xv, new Shape(2, 1, 6, 6));
            NDArray seed = m.create(new float[] {1, -2, 0.5f, 0, 1, 3}, new Shape(2, 3));
            float[] grad = ex.gradients(m, Map.of("x", x), "logits", seed, List.of("x")).get("x").toFloatArray();
            double eps = 1e-2;
            float[] fd = new float[xv.length];
            for (int i = 0; i < xv.length; i++) {
                fd[i] = (float) ((objective(ex, m, xv, i, eps, seed) - objective(ex, m, xv, i, -eps, seed)) / (2 * eps));
            }
            assertClose(fd, grad, 2e-3, "d logits / d x");
        }
    }

    private static double objective(Executor ex, NDManager m, float[] xv, int i, double delta, NDArray seed) {
        float[] moved = xv.clone();
        moved[i] += (float) delta;
        try (NDManager batch = m.newSubManager()) {
            NDArray out = ex.forward(batch, batch.create(moved, new Shape(2, 1, 6, 6)));
            return out.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).mul(seed.toType(ai.djl.ndarray.types.DataType.FLOAT64, false)).sum().getDouble();
        }
    }

    @Test
    void gradientWithRespectToAnIntermediateTensorAndToWeights() {
        try (Executor ex = Executor.of(tinyCnn()); NDManager m = Engines.newManager()) {
            NDArray x = m.create(random(6, 36), new Shape(1, 1, 6, 6));
            NDArray seed = m.create(new float[] {1, 0, 0}, new Shape(1, 3));
            Map<String, NDArray> g = ex.gradients(m, Map.of("x", x), "logits", seed, List.of("f", "fc.w", "fc.b"));
            // logits = f W^T + b, so d logits[0] / d f is row 0 of W, d/dW row 0 is f, d/db is e0.
            float[] w = ex.weight("fc.w").toFloatArray();
            assertClose(java.util.Arrays.copyOfRange(w, 0, 18), g.get("f").toFloatArray(), 1e-6, "d/d f");
            float[] f = ex.run(m, Map.of("x", x), List.of("f")).get("f").toFloatArray();
            float[] dw = g.get("fc.w").toFloatArray();
            assertClose(f, java.util.Arrays.copyOfRange(dw, 0, 18), 1e-6, "d/d W row 0");
            assertClose(new float[36], java.util.Arrays.copyOfRange(dw, 18, 54), 0, "d/d W other rows");
            assertArrayEquals(new float[] {1, 0, 0}, g.get("fc.b").toFloatArray());
            // Weights are frozen again and their gradients cleared: a second call gives the same.
            Map<String, NDArray> again = ex.gradients(m, Map.of("x", x), "logits", seed, List.of("fc.b"));
            assertArrayEquals(new float[] {1, 0, 0}, again.get("fc.b").toFloatArray());
            assertTrue(!ex.weight("fc.b").hasGradient());
        }
    }

    @Test
    void feedingACutPointRunsOnlyTheSuffix() {
        try (Executor ex = Executor.of(tinyCnn()); NDManager m = Engines.newManager()) {
            NDArray x = m.create(random(7, 72), new Shape(2, 1, 6, 6));
            Map<String, NDArray> full = ex.run(m, Map.of("x", x), List.of("h", "logits"));
            NDArray fromCut = ex.run(m, Map.of("h", full.get("h")), List.of("logits")).get("logits");
            assertArrayEquals(full.get("logits").toFloatArray(), fromCut.toFloatArray(), 1e-6f);
            assertEquals(List.of("fc.w", "fc.b"), ex.weightsAfter("p"));
            assertEquals(List.of("conv.w", "conv.b", "fc.w", "fc.b"), ex.weightsAfter("x"));
            CandorException e = assertThrows(CandorException.class,
                    () -> ex.run(m, Map.of("p", full.get("h")), List.of("h")));
            assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        }
    }

    @Test
    void batchGivesWhatSamplesGiveOneByOne() {
        try (Executor ex = Executor.of(tinyCnn()); NDManager m = Engines.newManager()) {
            float[] xv = random(8, 3 * 36);
            float[] batch = ex.forward(m, m.create(xv, new Shape(3, 1, 6, 6))).toFloatArray();
            for (int i = 0; i < 3; i++) {
                float[] one = ex.forward(m, m.create(java.util.Arrays.copyOfRange(xv, 36 * i, 36 * (i + 1)),
                        new Shape(1, 1, 6, 6))).toFloatArray();
                assertClose(java.util.Arrays.copyOfRange(batch, 3 * i, 3 * (i + 1)), one, 1e-6, "sample " + i);
            }
        }
    }

    @Test
    void aThousandForwardPassesLeaveNothingBehind() {
        try (Executor ex = Executor.of(tinyCnn()); NDManager root = Engines.newManager()) {
            int weights = ex.weightsManager().getManagedArrays().size();
            float[] xv = random(9, 64 * 36);
            for (int i = 0; i < 1000; i++) {
                try (NDManager batch = root.newSubManager()) {
                    NDArray out = ex.forward(batch, batch.create(xv, new Shape(64, 1, 6, 6)));
                    if (i == 0) {
                        // Only the input and the output survive the run in the batch's manager.
                        assertEquals(2, batch.getManagedArrays().size());
                    }
                    assertEquals(64 * 3, out.size());
                }
            }
            assertEquals(weights, ex.weightsManager().getManagedArrays().size());
            assertEquals(0, root.getManagedArrays().size());
        }
    }

    @Test
    void batchNormUsesBatchStatisticsWhenTraining() {
        GraphBuilder g = new GraphBuilder("bn", 15);
        String x = g.input("x", DataType.FLOAT32, -1, 2, 1, 2);
        String[] params = {
            g.initializer("s", HostTensor.ofFloats(new long[] {2}, 1, 1)),
            g.initializer("b", HostTensor.ofFloats(new long[] {2}, 0, 0)),
            g.initializer("m", HostTensor.ofFloats(new long[] {2}, 100, 100)),
            g.initializer("v", HostTensor.ofFloats(new long[] {2}, 1, 1))};
        g.node("BatchNormalization", "y", new String[] {x, params[0], params[1], params[2], params[3]}, "epsilon", 0f);
        g.output("y", DataType.FLOAT32);
        try (Executor ex = Executor.of(g.buildModel()); NDManager m = Engines.newManager()) {
            NDArray in = m.create(new float[] {1, 3, 10, 30}, new Shape(1, 2, 1, 2));
            assertArrayEquals(new float[] {-99, -97, -90, -70}, ex.forward(m, in).toFloatArray(), 1e-4f);
            ex.setTraining(true);
            // channel 0: mean 2, var 1 -> -1, 1; channel 1: mean 20, var 100 -> -1, 1
            assertArrayEquals(new float[] {-1, 1, -1, 1}, ex.forward(m, in).toFloatArray(), 1e-5f);
            // Running statistics move as PyTorch's (momentum 0.1, unbiased variance: 2 and 200 for 2 values).
            assertArrayEquals(new float[] {0.9f * 100 + 0.1f * 2, 0.9f * 100 + 0.1f * 20}, ex.weight("m").toFloatArray(), 1e-4f);
            assertArrayEquals(new float[] {0.9f + 0.1f * 2, 0.9f + 0.1f * 200}, ex.weight("v").toFloatArray(), 1e-4f);
            ex.setTraining(false);
            ex.forward(m, in);
            assertArrayEquals(new float[] {0.9f * 100 + 0.1f * 2, 0.9f * 100 + 0.1f * 20}, ex.weight("m").toFloatArray(), 1e-4f,
                    "evaluation leaves them alone");
        }
    }

    @Test
    void unsupportedOpsAreNamedWithTheirNodeAndTheSupportedSet() {
        GraphBuilder g = new GraphBuilder("bad", 13);
        String x = g.input("x", DataType.FLOAT32, 2);
        g.node("Erf", "y", new String[] {x});
        g.output("y", DataType.FLOAT32, 2);
        CandorException e = assertThrows(CandorException.class, () -> Executor.of(g.buildModel()));
        assertTrue(e.getMessage().contains("unsupported op Erf"), e.getMessage());
        assertTrue(e.getMessage().contains("output 'y'"), e.getMessage());
        assertTrue(e.getMessage().contains("supported ops: Add, AveragePool"), e.getMessage());
    }

    @Test
    void wrongInputsAreRejectedBeforeNativeCode() {
        try (Executor ex = Executor.of(tinyCnn()); NDManager m = Engines.newManager()) {
            CandorException shape = assertThrows(CandorException.class,
                    () -> ex.forward(m, m.zeros(new Shape(1, 3, 6, 6))));
            assertTrue(shape.getMessage().contains("input 'x' expects"), shape.getMessage());
            CandorException type = assertThrows(CandorException.class,
                    () -> ex.forward(m, m.zeros(new Shape(1, 1, 6, 6), ai.djl.ndarray.types.DataType.FLOAT64)));
            assertTrue(type.getMessage().contains("FLOAT32"), type.getMessage());
        }
    }

    @Test
    void lstmWithAWrongStateShapeIsAnErrorNotACrash() {
        HostTensor x = HostTensor.ofFloats(new long[] {3, 2, 4}, random(1, 24));
        HostTensor w = HostTensor.ofFloats(new long[] {1, 20, 4}, random(2, 80));
        HostTensor r = HostTensor.ofFloats(new long[] {1, 20, 5}, random(3, 100));
        HostTensor badH0 = HostTensor.ofFloats(new long[] {2, 1, 5}, random(4, 10));
        CandorException e = assertThrows(CandorException.class, () -> OneOp.run(13, "LSTM", 2,
                OneOp.attrs("hidden_size", 5L), x, w, r, null, null, badH0));
        assertTrue(e.getMessage().contains("initial_h must have shape [1, 2, 5]"), e.getMessage());
    }
}
