package io.candor.attribution.cd;

import static io.candor.interop.testing.Arrays2.assertClose;
import static io.candor.interop.testing.Arrays2.random;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.candor.interop.testing.Arrays2;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * CD as CDEP trains with it: in training mode (batch-statistics BatchNorm, Dropout) the parts still add
 * up to the training-mode logits, and the gradient of the relevant share with respect to weights is the
 * derivative of what CD computes.
 */
class CdTrainingTest {
    /** x [N,2,6,6] -> Conv(4, 3x3, pad 1) -> BatchNorm -> Relu -> Dropout(0.5) -> Flatten -> Gemm(3). */
    static OnnxModel model() {
        GraphBuilder g = new GraphBuilder("cd-train", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2, 6, 6);
        String c = g.node("Conv", "c", new String[] {x, g.initializer("cw", HostTensor.ofFloats(new long[] {4, 2, 3, 3}, random(1, 72))),
            g.initializer("cb", HostTensor.ofFloats(new long[] {4}, random(2, 4)))}, "pads", new long[] {1, 1, 1, 1});
        String bn = g.node("BatchNormalization", "bn", new String[] {c,
            g.initializer("gamma", HostTensor.ofFloats(new long[] {4}, 1.2f, 0.8f, 1.0f, 0.6f)),
            g.initializer("beta", HostTensor.ofFloats(new long[] {4}, 0.1f, -0.2f, 0.3f, 0f)),
            g.initializer("mean", HostTensor.ofFloats(new long[] {4}, 0.5f, -0.5f, 0.2f, 0.1f)),
            g.initializer("var", HostTensor.ofFloats(new long[] {4}, 2f, 1.5f, 0.7f, 1.1f))});
        String r = g.node("Relu", "r", new String[] {bn});
        String d = g.node("Dropout", "d", new String[] {r, g.initializer("ratio", HostTensor.ofFloats(new long[0], 0.5f))});
        String f = g.node("Flatten", "f", new String[] {d});
        g.node("Gemm", "y", new String[] {f, g.initializer("fw", HostTensor.ofFloats(new long[] {3, 144}, random(3, 432))),
            g.initializer("fb", HostTensor.ofFloats(new long[] {3}, random(4, 3)))}, "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 3);
        return g.buildModel();
    }

    @Test
    void inTrainingModeThePartsAddUpToTheTrainingLogitsWithOneDropoutMask() {
        try (Executor ex = Executor.of(model()); NDManager m = Engines.newManager()) {
            NDArray x = m.create(random(5, 4 * 72), new Shape(4, 2, 6, 6));
            NDArray mask = m.create(random(6, 36), new Shape(1, 1, 6, 6)).gt(0).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
            float[] initialMean = ex.weight("mean").toFloatArray();
            ex.setTraining(true);
            Engines.pytorch().setRandomSeed(3);
            float[] logits = ex.run(m, Map.of("x", x), java.util.List.of("y")).get("y").toFloatArray();
            float[] meanAfterForward = ex.weight("mean").toFloatArray();
            assertTrue(Arrays2.relativeError(meanAfterForward, initialMean) > 1e-3, "the forward pass updates the running mean");

            Engines.pytorch().setRandomSeed(3);
            ContextualDecomposition.Decomposition d = new ContextualDecomposition(ex).decompose(m, Map.of("x", x), "x", mask, "y");
            assertClose(logits, d.relevant().add(d.irrelevant()).toFloatArray(), 1e-5, "relevant + irrelevant = training logits");
            assertClose(meanAfterForward, ex.weight("mean").toFloatArray(), 0, "CD leaves the running statistics to the forward pass");
            assertTrue(ex.isTraining(), "CD leaves the mode as it found it");

            // One mask for both parts: with every feature relevant nothing is irrelevant, dropout or not.
            ContextualDecomposition.Decomposition all = new ContextualDecomposition(ex)
                    .decompose(m, Map.of("x", x), "x", m.ones(new Shape(1)), "y");
            assertTrue(all.irrelevant().abs().max().getFloat() < 1e-5f * all.relevant().abs().max().getFloat(),
                    "a full mask leaves nothing irrelevant in training mode");
            ex.setTraining(false);
        }
    }

    @Test
    void theRelevantShareHasTheGradientOfCentralDifferences() {
        // CDEP's penalty: per sample and logit, softmax(relevant, irrelevant)[relevant], averaged.
        try (Executor ex = Executor.of(model()); NDManager m = Engines.newManager()) {
            NDArray x = m.create(random(7, 3 * 72), new Shape(3, 2, 6, 6));
            NDArray mask = m.create(random(8, 36), new Shape(1, 1, 6, 6)).gt(0.3f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
            Supplier<NDArray> share = () -> {
                ContextualDecomposition.Decomposition d = new ContextualDecomposition(ex).decompose(m, Map.of("x", x), "x", mask, "y");
                NDArray rel = d.relevant();
                NDArray irr = d.irrelevant();
                // softmax over the pair: 1 / (1 + exp(irr - rel))
                return irr.sub(rel).exp().add(1).pow(-1).mean();
            };
            for (String weight : new String[] {"cw", "fw"}) {
                NDArray w = ex.weight(weight);
                w.setRequiresGradient(true);
                float[] analytic;
                try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                    gc.backward(share.get());
                }
                try (NDArray g = w.getGradient()) {
                    analytic = g.toFloatArray();
                    g.subi(g);
                }
                w.setRequiresGradient(false);
                float[] values = w.toFloatArray();
                int[] probes = {0, 7, values.length / 2, values.length - 1};
                for (int i : probes) {
                    // Small steps: CD is piecewise smooth (ReLU's relevant-first rule, |r| in the bias split),
                    // and a step of 1e-2 already carries some units across a kink (15% off at cw[0]).
                    double h = 1e-3 * Math.max(0.1, Math.abs(values[i]));
                    double plus = shifted(ex, weight, values, i, h, share);
                    double minus = shifted(ex, weight, values, i, -h, share);
                    double numeric = (plus - minus) / (2 * h);
                    assertTrue(Math.abs(numeric - analytic[i]) <= 2e-3 + 0.03 * Math.abs(numeric),
                            weight + "[" + i + "]: autograd " + analytic[i] + ", central difference " + numeric);
                }
                reset(ex, weight, values);
            }
        }
    }

    private static double shifted(Executor ex, String weight, float[] values, int i, double h, Supplier<NDArray> f) {
        float[] moved = values.clone();
        moved[i] += (float) h;
        reset(ex, weight, moved);
        double v = f.get().getFloat();
        reset(ex, weight, values);
        return v;
    }

    private static void reset(Executor ex, String name, float[] values) {
        NDArray w = ex.weight(name);
        try (NDManager scratch = Engines.newManager()) {
            w.muli(0).addi(scratch.create(values, w.getShape()));
        }
    }
}
