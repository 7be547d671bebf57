package io.candor.attribution.cd;

import static io.candor.interop.testing.Arrays2.assertClose;
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
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContextualDecompositionTest {
    /** x [N,1,6,6] -> Conv(3, 3x3, pad 1) -> Relu -> MaxPool(3, stride 2, pad 1) -> Flatten -> Gemm(27->4). */
    static OnnxModel cnn() {
        GraphBuilder g = new GraphBuilder("cnn", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 1, 6, 6);
        String w = g.initializer("w", HostTensor.ofFloats(new long[] {3, 1, 3, 3}, random(1, 27)));
        String b = g.initializer("b", HostTensor.ofFloats(new long[] {3}, random(2, 3)));
        String c = g.node("Conv", "c", new String[] {x, w, b}, "pads", new long[] {1, 1, 1, 1});
        String r = g.node("Relu", "r", new String[] {c});
        String p = g.node("MaxPool", "p", new String[] {r}, "kernel_shape", new long[] {3, 3},
                "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1});
        String f = g.node("Flatten", "f", new String[] {p});
        String fw = g.initializer("fw", HostTensor.ofFloats(new long[] {4, 27}, random(3, 108)));
        String fb = g.initializer("fb", HostTensor.ofFloats(new long[] {4}, random(4, 4)));
        g.node("Gemm", "logits", new String[] {f, fw, fb}, "transB", 1L);
        g.output("logits", DataType.FLOAT32, -1, 4);
        return g.buildModel();
    }

    @Test
    void partsAddUpToTheLogitsForAnyMask() {
        try (Executor ex = Executor.of(cnn()); NDManager m = Engines.newManager()) {
            ContextualDecomposition cd = new ContextualDecomposition(ex);
            NDArray x = m.create(random(5, 2 * 36), new Shape(2, 1, 6, 6));
            float[] logits = ex.forward(m, x).toFloatArray();
            float[] maskValues = new float[36];
            for (int i = 0; i < 36; i++) {
                maskValues[i] = (i % 6) < 3 ? 1 : 0;
            }
            NDArray mask = m.create(maskValues, new Shape(6, 6));
            ContextualDecomposition.Decomposition d = cd.decompose(m, Map.of("x", x), "x", mask, "logits");
            assertClose(logits, d.relevant().add(d.irrelevant()).toFloatArray(), 1e-5, "relevant + irrelevant");
            assertTrue(d.relevant().abs().sum().getFloat() > 0.01f, "a half mask explains something");
            assertTrue(d.irrelevant().abs().sum().getFloat() > 0.01f, "and leaves something");
        }
    }

    @Test
    void aFullMaskLeavesNothingIrrelevantAndAnEmptyOneNothingRelevant() {
        try (Executor ex = Executor.of(cnn()); NDManager m = Engines.newManager()) {
            ContextualDecomposition cd = new ContextualDecomposition(ex);
            NDArray x = m.create(random(6, 2 * 36), new Shape(2, 1, 6, 6));
            float[] logits = ex.forward(m, x).toFloatArray();
            var full = cd.decompose(m, Map.of("x", x), "x", m.ones(new Shape(1)), "logits");
            assertClose(logits, full.relevant().toFloatArray(), 1e-5, "full mask: relevant = logits");
            var empty = cd.decompose(m, Map.of("x", x), "x", m.zeros(new Shape(1, 1, 6, 6)), "logits");
            assertClose(logits, empty.irrelevant().toFloatArray(), 1e-5, "empty mask: irrelevant = logits");
        }
    }

    @Test
    void linearLayerSplitsItsBiasByContributionMagnitude() {
        GraphBuilder g = new GraphBuilder("lin", 13);
        String x = g.input("x", DataType.FLOAT32, 1, 2);
        String w = g.initializer("w", HostTensor.ofFloats(new long[] {1, 2}, 2, -1));
        String b = g.initializer("b", HostTensor.ofFloats(new long[] {1}, 3));
        g.node("Gemm", "y", new String[] {x, w, b}, "transB", 1L);
        g.output("y", DataType.FLOAT32, 1, 1);
        try (Executor ex = Executor.of(g.buildModel()); NDManager m = Engines.newManager()) {
            NDArray in = m.create(new float[] {1, 2}, new Shape(1, 2));
            var d = new ContextualDecomposition(ex).decompose(m, Map.of("x", in), "x",
                    m.create(new float[] {1, 0}, new Shape(2)), "y");
            // r = 2*1 = 2, s = -1*2 = -2: the bias 3 splits 1:1, so relevant = 2 + 1.5, irrelevant = -2 + 1.5.
            assertEquals(3.5f, d.relevant().getFloat(0, 0), 1e-6f);
            assertEquals(-0.5f, d.irrelevant().getFloat(0, 0), 1e-6f);
        }
    }

    @Test
    void maxPoolTakesBothPartsAtTheArgmaxOfTheTotal() {
        GraphBuilder g = new GraphBuilder("pool", 13);
        String x = g.input("x", DataType.FLOAT32, 1, 1, 2, 2);
        g.node("MaxPool", "y", new String[] {x}, "kernel_shape", new long[] {2, 2});
        g.output("y", DataType.FLOAT32, 1, 1, 1, 1);
        try (Executor ex = Executor.of(g.buildModel()); NDManager m = Engines.newManager()) {
            // total 5 is at position 1; the mask marks position 0 (value 4) and 1 (value 5) differently.
            NDArray in = m.create(new float[] {4, 5, 1, 5}, new Shape(1, 1, 2, 2));
            var d = new ContextualDecomposition(ex).decompose(m, Map.of("x", in), "x",
                    m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2)), "y");
            // Tie between positions 1 and 3: PyTorch takes the first, position 1, which is irrelevant.
            assertEquals(0f, d.relevant().getFloat(0, 0, 0, 0));
            assertEquals(5f, d.irrelevant().getFloat(0, 0, 0, 0));
        }
    }

    @Test
    void cdIsDifferentiable() {
        try (Executor ex = Executor.of(cnn()); NDManager m = Engines.newManager()) {
            ContextualDecomposition cd = new ContextualDecomposition(ex);
            NDArray x = m.create(random(7, 36), new Shape(1, 1, 6, 6));
            NDArray w = ex.weight("fw");
            w.setRequiresGradient(true);
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                var d = cd.decompose(m, Map.of("x", x), "x", m.ones(new Shape(3, 6)).concat(m.zeros(new Shape(3, 6))), "logits");
                gc.backward(d.relevant().sum());
            }
            assertTrue(w.getGradient().abs().sum().getFloat() > 0, "gradient reaches the last layer's weights");
            w.setRequiresGradient(false);
        }
    }

    @Test
    void anOpWithoutARuleIsNamed() {
        GraphBuilder g = new GraphBuilder("sm", 13);
        String x = g.input("x", DataType.FLOAT32, 1, 3);
        g.node("Softmax", "y", new String[] {x});
        g.output("y", DataType.FLOAT32, 1, 3);
        try (Executor ex = Executor.of(g.buildModel()); NDManager m = Engines.newManager()) {
            CandorException e = assertThrows(CandorException.class, () -> new ContextualDecomposition(ex)
                    .decompose(m, Map.of("x", m.ones(new Shape(1, 3))), "x", m.ones(new Shape(1)), "y"));
            assertTrue(e.getMessage().contains("CD has no rule for op Softmax"), e.getMessage());
        }
    }
}
