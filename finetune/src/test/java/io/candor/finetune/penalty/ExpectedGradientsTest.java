package io.candor.finetune.penalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.exec.vjp.InputGradient;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.testing.Arrays2;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expected Gradients' penalty for given draws, against the same sum built from autograd's gradients. */
class ExpectedGradientsTest {
    /** x [N, 4] -> Gemm(5) -> Relu -> Gemm(3). */
    private static OnnxModel mlp() {
        GraphBuilder g = new GraphBuilder("mlp", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 4);
        String h = g.node("Relu", "h", new String[] {g.node("Gemm", "l1", new String[] {x,
            g.initializer("w1", HostTensor.ofFloats(new long[] {5, 4}, Arrays2.random(1, 20))),
            g.initializer("b1", HostTensor.ofFloats(new long[] {5}, Arrays2.random(2, 5)))}, "transB", 1L)});
        g.node("Gemm", "y", new String[] {h, g.initializer("w2", HostTensor.ofFloats(new long[] {3, 5}, Arrays2.random(3, 15)))},
                "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 3);
        return g.buildModel();
    }

    @Test
    void theMaskedAbsoluteGradientTimesDistanceSummedOverReferences() {
        try (Executor ex = Executor.of(mlp()); NDManager m = Engines.newManager()) {
            NDArray x = m.create(Arrays2.random(4, 12), new Shape(3, 4));
            NDArray labels = m.create(new long[] {2, 0, 1});
            NDArray masks = m.create(new float[] {1, 1, 0, 0}, new Shape(1, 4)).broadcast(new Shape(3, 4));
            // Image 0 twice and image 2 once, toward from references 1, 2 and 0.
            NDArray image = m.create(new long[] {0, 0, 2});
            NDArray reference = m.create(new long[] {1, 2, 0});
            NDArray alpha = m.create(new float[] {0.25f, 0.5f, 0.9f}, new Shape(3, 1));
            float value = ExpectedGradients.value(ex, new InputGradient(ex), m, x, masks, labels, image, reference, alpha)
                    .getFloat();
            double expected = 0;
            float[] xs = x.toFloatArray();
            long[] img = {0, 0, 2};
            long[] ref = {1, 2, 0};
            float[] a = {0.25f, 0.5f, 0.9f};
            long[] y = {2, 0, 1};
            for (int r = 0; r < 3; r++) {
                float[] point = new float[4];
                for (int i = 0; i < 4; i++) {
                    point[i] = xs[(int) ref[r] * 4 + i] + a[r] * (xs[(int) img[r] * 4 + i] - xs[(int) ref[r] * 4 + i]);
                }
                // d softmax(y)_t / d x by autograd: seed the logits with p_t (e_t - p).
                NDArray px = m.create(point, new Shape(1, 4));
                float[] p = ex.forward(m, px).softmax(1).toFloatArray();
                int t = (int) y[(int) img[r]];
                float[] seed = new float[3];
                for (int k = 0; k < 3; k++) {
                    seed[k] = p[t] * ((k == t ? 1 : 0) - p[k]);
                }
                float[] g = ex.gradients(m, Map.of("x", px), "y", m.create(seed, new Shape(1, 3)), List.of("x")).get("x")
                        .toFloatArray();
                for (int i = 0; i < 2; i++) { // the marked features
                    expected += Math.abs(g[i] * (xs[(int) img[r] * 4 + i] - xs[(int) ref[r] * 4 + i]));
                }
            }
            assertEquals(expected, value, 1e-6 + 1e-5 * expected);
            assertTrue(expected > 1e-4, "not trivially zero: " + expected);
        }
    }

    @Test
    void referencesEqualToTheImageGiveNothing() {
        try (Executor ex = Executor.of(mlp()); NDManager m = Engines.newManager()) {
            NDArray x = m.create(Arrays2.random(5, 8), new Shape(2, 4));
            NDArray masks = m.ones(new Shape(2, 4));
            float value = ExpectedGradients.value(ex, new InputGradient(ex), m, x, masks, m.create(new long[] {0, 1}),
                    m.create(new long[] {1, 1}), m.create(new long[] {1, 1}), m.create(new float[] {0.3f, 0.7f}, new Shape(2, 1)))
                    .getFloat();
            assertEquals(0f, value, 0f);
        }
    }
}
