package io.candor.attribution.cd;

import static io.candor.interop.testing.Arrays2.assertClose;
import static io.candor.interop.testing.Arrays2.random;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LstmDecompositionTest {
    static final int VOCAB = 11, DIM = 4, HIDDEN = 5, STEPS = 6, BATCH = 2;

    /** ids [N,T] -> embedding -> seq-major -> LSTM (one or two layers) -> last hidden -> Gemm(2). */
    static OnnxModel textModel(int layers) {
        GraphBuilder g = new GraphBuilder("text", 13);
        String ids = g.input("ids", DataType.INT64, -1, STEPS);
        String emb = g.initializer("emb", HostTensor.ofFloats(new long[] {VOCAB, DIM}, random(1, VOCAB * DIM)));
        String e = g.node("Gather", "e", new String[] {emb, ids});
        String seq = g.node("Transpose", "seq", new String[] {e}, "perm", new long[] {1, 0, 2});
        int in = DIM;
        String h = null;
        for (int l = 0; l < layers; l++) {
            String w = g.initializer("w" + l, HostTensor.ofFloats(new long[] {1, 4 * HIDDEN, in}, random(10 + l, 4 * HIDDEN * in)));
            String r = g.initializer("r" + l, HostTensor.ofFloats(new long[] {1, 4 * HIDDEN, HIDDEN}, random(20 + l, 20 * HIDDEN)));
            String b = g.initializer("b" + l, HostTensor.ofFloats(new long[] {1, 8 * HIDDEN}, random(30 + l, 8 * HIDDEN)));
            g.node("LSTM", new String[] {"y" + l, "h" + l, "c" + l}, new String[] {seq, w, r, b},
                    "hidden_size", (long) HIDDEN);
            seq = g.node("Squeeze", "ys" + l, new String[] {"y" + l, g.initializer("axis1_" + l, HostTensor.ofLongs(new long[] {1}, 1))});
            h = "h" + l;
            in = HIDDEN;
        }
        String last = g.node("Squeeze", "last", new String[] {h, g.initializer("axis0", HostTensor.ofLongs(new long[] {1}, 0))});
        String fw = g.initializer("fw", HostTensor.ofFloats(new long[] {2, HIDDEN}, random(40, 2 * HIDDEN)));
        String fb = g.initializer("fb", HostTensor.ofFloats(new long[] {2}, random(41, 2)));
        g.node("Gemm", "logits", new String[] {last, fw, fb}, "transB", 1L);
        g.output("logits", DataType.FLOAT32, -1, 2);
        return g.buildModel();
    }

    private static NDArray tokens(NDManager m) {
        long[] ids = new long[BATCH * STEPS];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 7 + 3) % VOCAB;
        }
        return m.create(ids, new Shape(BATCH, STEPS));
    }

    private static NDArray span(NDManager m, int from, int to) {
        float[] v = new float[BATCH * STEPS];
        for (int n = 0; n < BATCH; n++) {
            for (int t = from; t <= to; t++) {
                v[n * STEPS + t] = 1;
            }
        }
        return m.create(v, new Shape(BATCH, STEPS));
    }

    @Test
    void partsAddUpAndExtremeSpansAreExact() {
        for (int layers = 1; layers <= 2; layers++) {
            try (Executor ex = Executor.of(textModel(layers)); NDManager m = Engines.newManager()) {
                ContextualDecomposition cd = new ContextualDecomposition(ex);
                NDArray ids = tokens(m);
                float[] logits = ex.forward(m, ids).toFloatArray();
                var some = cd.decomposeTokens(m, Map.of("ids", ids), "ids", span(m, 2, 3), "logits");
                assertClose(logits, some.relevant().add(some.irrelevant()).toFloatArray(), 1e-5, layers + " layers: sum");
                assertTrue(some.relevant().abs().sum().getFloat() > 1e-3f, "a span explains something");
                var all = cd.decomposeTokens(m, Map.of("ids", ids), "ids", span(m, 0, STEPS - 1), "logits");
                assertClose(logits, all.relevant().toFloatArray(), 1e-5, layers + " layers: whole sentence");
                var none = cd.decomposeTokens(m, Map.of("ids", ids), "ids", span(m, 0, -1), "logits");
                assertClose(logits, none.irrelevant().toFloatArray(), 1e-5, layers + " layers: no token");
            }
        }
    }

    @Test
    void threePlayerTermsAddUpToTheActivation() {
        try (NDManager m = Engines.newManager()) {
            NDArray a = m.create(new float[] {0.3f, -1.2f});
            NDArray b = m.create(new float[] {-0.7f, 2.0f});
            NDArray c = m.create(new float[] {0.1f, 0.4f});
            NDArray[] l = io.candor.attribution.cd.rules.LstmRuleAccess.three(a, b, c);
            float[] sum = l[0].add(l[1]).add(l[2]).toFloatArray();
            assertClose(new float[] {sigmoid(-0.3f), sigmoid(1.2f)}, sum, 1e-6, "L(a)+L(b)+L(c) = sigmoid(a+b+c)");
            // Worked by hand: L(a) = 1/2 [s(a+c) - s(c) + s(a+b+c) - s(b+c)].
            double la = 0.5 * (sigmoid(0.4f) - sigmoid(0.1f) + sigmoid(-0.3f) - sigmoid(-0.6f));
            assertClose(new float[] {(float) la}, new float[] {l[0].getFloat(0)}, 1e-6, "L(a)");
        }
    }

    private static float sigmoid(float v) {
        return (float) (1 / (1 + Math.exp(-v)));
    }
}
