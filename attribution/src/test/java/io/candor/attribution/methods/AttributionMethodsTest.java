package io.candor.attribution.methods;

import static io.candor.interop.testing.Arrays2.assertClose;
import static io.candor.interop.testing.Arrays2.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.candor.attribution.AttributionMethod;
import io.candor.attribution.ExecutorModel;
import io.candor.attribution.deeplift.DeepLift;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttributionMethodsTest {
    /** y = relu(x1 - 1) + relu(x2) + 0.5: DeepLIFT's answer is known exactly. */
    static OnnxModel twoRelu() {
        GraphBuilder g = new GraphBuilder("two-relu", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2);
        String shift = g.initializer("shift", HostTensor.ofFloats(new long[] {2}, 1, 0));
        String h = g.node("Relu", "h", new String[] {g.node("Sub", "d", new String[] {x, shift})});
        String w = g.initializer("w", HostTensor.ofFloats(new long[] {1, 2}, 1, 1));
        String b = g.initializer("b", HostTensor.ofFloats(new long[] {1}, 0.5f));
        g.node("Gemm", "y", new String[] {h, w, b}, "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 1);
        return g.buildModel();
    }

    static OnnxModel smoothCnn() {
        return cnn("Relu");
    }

    /** x [N,2,5,5] -> Conv(3,3x3,pad1) -> Tanh -> Conv(4,3x3) -> act -> AveragePool 3 -> Flatten -> Gemm(3). */
    static OnnxModel cnn(String activation) {
        GraphBuilder g = new GraphBuilder("cnn", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2, 5, 5);
        String c1 = g.node("Conv", "c1", new String[] {x, g.initializer("w1", HostTensor.ofFloats(new long[] {3, 2, 3, 3}, random(1, 54))),
            g.initializer("b1", HostTensor.ofFloats(new long[] {3}, random(2, 3)))}, "pads", new long[] {1, 1, 1, 1});
        String t = g.node("Tanh", "t", new String[] {c1});
        String c2 = g.node("Conv", "c2", new String[] {t, g.initializer("w2", HostTensor.ofFloats(new long[] {4, 3, 3, 3}, random(3, 108))),
            g.initializer("b2", HostTensor.ofFloats(new long[] {4}, random(4, 4)))});
        String r = g.node(activation, "r", new String[] {c2});
        String p = g.node("AveragePool", "p", new String[] {r}, "kernel_shape", new long[] {3, 3});
        String f = g.node("Flatten", "f", new String[] {p});
        g.node("Gemm", "logits", new String[] {f, g.initializer("fw", HostTensor.ofFloats(new long[] {3, 4}, random(5, 12))),
            g.initializer("fb", HostTensor.ofFloats(new long[] {3}, random(6, 3)))}, "transB", 1L);
        g.output("logits", DataType.FLOAT32, -1, 3);
        return g.buildModel();
    }

    @Test
    void deepLiftOnTwoRelusIsKnownExactly() {
        try (Executor ex = Executor.of(twoRelu()); NDManager m = Engines.newManager()) {
            ExecutorModel model = ExecutorModel.of(ex);
            NDArray x = m.create(new float[] {3, 2, 0.5f, -1}, new Shape(2, 2));
            NDArray a = new DeepLift(null).attribute(model, m, x, new long[] {0, 0});
            // Sample 1: relu(3-1) - relu(0-1) = 2 over dx 3 -> multiplier 2/3 -> 2; relu(2) - relu(0) = 2 -> 2.
            // Sample 2: both units are off at the input and at the reference: nothing to attribute.
            assertArrayEquals(new float[] {2, 2, 0, 0}, a.toFloatArray(), 1e-6f);
            // Gradient x input differs: 1 * 3 for x1.
            assertArrayEquals(new float[] {3, 2, 0, 0}, new InputXGradient().attribute(model, m, x, new long[] {0, 0})
                    .toFloatArray(), 1e-6f);
            // A reference equal to the input: every difference is zero, and so is every attribution.
            assertArrayEquals(new float[4], new DeepLift(x).attribute(model, m, x, new long[] {0, 0}).toFloatArray(), 0f);
        }
    }

    /** x [-1, 2] -> OP (with a second input when given) -> Gemm -> y. */
    private static OnnxModel withOp(String op, boolean squareIt) {
        GraphBuilder g = new GraphBuilder("with-" + op, 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2);
        String h = squareIt ? g.node(op, "h", new String[] {x, x}) : g.node(op, "h", new String[] {x}, "axis", 1L);
        g.node("Gemm", "y", new String[] {h, g.initializer("w", HostTensor.ofFloats(new long[] {1, 2}, 1, 1))}, "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 1);
        return g.buildModel();
    }

    @Test
    void deepLiftRefusesOpsWithoutARuleNamingTheNode() {
        String[][] cases = {{"Softmax", "false", "DeepLIFT has no rule for op Softmax", "explain the logits before it"},
            {"Mul", "true", "multiplies two values that both depend on the input", "Mul"},
            {"Div", "true", "divides by a value that depends on the input", "Div"}};
        for (String[] c : cases) {
            try (Executor ex = Executor.of(withOp(c[0], Boolean.parseBoolean(c[1]))); NDManager m = Engines.newManager()) {
                NDArray x = m.create(new float[] {1, 2}, new Shape(1, 2));
                io.candor.interop.CandorException e = org.junit.jupiter.api.Assertions.assertThrows(
                        io.candor.interop.CandorException.class,
                        () -> new DeepLift(null).attribute(ExecutorModel.of(ex), m, x, new long[] {0}));
                assertTrue(e.getMessage().contains(c[2]) && e.getMessage().contains(c[3])
                        && e.getMessage().contains("'h'"), e.getMessage());
            }
        }
    }

    @Test
    void deepLiftAndIntegratedGradientsSumToTheOutputDifference() {
        try (Executor ex = Executor.of(smoothCnn()); NDManager m = Engines.newManager()) {
            ExecutorModel model = ExecutorModel.of(ex);
            NDArray x = m.create(random(7, 2 * 50), new Shape(2, 2, 5, 5));
            NDArray baseline = m.create(random(8, 50), new Shape(1, 2, 5, 5)).mul(0.1f);
            long[] targets = {1, 2};
            NDArray logits = model.logits(m, x);
            NDArray base = model.logits(m, baseline.broadcast(x.getShape()));
            float delta0 = logits.getFloat(0, 1) - base.getFloat(0, 1);
            AttributionMethod deepLift = new DeepLift(baseline);
            NDArray dl = deepLift.attribute(model, m, x, targets);
            float[] dlError = deepLift.completenessError(model, m, x, targets, dl);
            assertTrue(Math.abs(dlError[0]) < 1e-4 * Math.max(1, Math.abs(delta0)), "DeepLIFT error " + dlError[0]);
            assertTrue(Math.abs(dlError[1]) < 1e-4, "DeepLIFT error " + dlError[1]);
            // With ReLU kinks on the path the quadrature error shrinks only as the steps grow.
            float coarse = igError(model, m, x, baseline, targets, Quadrature.trapezoid(16));
            float fine = igError(model, m, x, baseline, targets, Quadrature.trapezoid(1024));
            assertTrue(fine < coarse && fine < 1e-2, "trapezoid IG errors " + coarse + " -> " + fine);
        }
        try (Executor ex = Executor.of(cnn("Sigmoid")); NDManager m = Engines.newManager()) {
            // On a smooth path Gauss-Legendre converges fast.
            ExecutorModel model = ExecutorModel.of(ex);
            NDArray x = m.create(random(7, 2 * 50), new Shape(2, 2, 5, 5));
            float error = igError(model, m, x, null, new long[] {1, 2}, Quadrature.gaussLegendre(64));
            assertTrue(error < 1e-5, "Gauss-Legendre IG error on a smooth model " + error);
        }
    }

    private static float igError(ExecutorModel model, NDManager m, NDArray x, NDArray baseline, long[] targets, Quadrature q) {
        AttributionMethod ig = new IntegratedGradients(baseline, q, 4096);
        float worst = 0;
        for (float e : ig.completenessError(model, m, x, targets, ig.attribute(model, m, x, targets))) {
            worst = Math.max(worst, Math.abs(e));
        }
        return worst;
    }

    @Test
    void integratedGradientsDoNotDependOnTheChunkSizeAndBatchesAreInvariant() {
        try (Executor ex = Executor.of(smoothCnn()); NDManager m = Engines.newManager()) {
            ExecutorModel model = ExecutorModel.of(ex);
            NDArray x = m.create(random(9, 3 * 50), new Shape(3, 2, 5, 5));
            long[] targets = {0, 1, 2};
            float[] one = new IntegratedGradients(null, Quadrature.trapezoid(10), 1).attribute(model, m, x, targets).toFloatArray();
            float[] all = new IntegratedGradients(null, Quadrature.trapezoid(10), 1000).attribute(model, m, x, targets).toFloatArray();
            assertClose(all, one, 1e-5, "chunks of 1 vs all");
            for (AttributionMethod method : List.of(new Saliency(false), new DeepLift(null),
                    new IntegratedGradients(null, Quadrature.trapezoid(8), 16))) {
                float[] batch = method.attribute(model, m, x, targets).toFloatArray();
                for (int n = 0; n < 3; n++) {
                    NDArray xn = x.get(n + ":" + (n + 1));
                    float[] single = method.attribute(model, m, xn, new long[] {targets[n]}).toFloatArray();
                    assertClose(java.util.Arrays.copyOfRange(batch, 50 * n, 50 * (n + 1)), single, 1e-5,
                            method.getClass().getSimpleName() + " sample " + n);
                }
            }
        }
    }

    @Test
    void gaussLegendreIsExactForPolynomialsOfDegreeUpTo2nMinus1() {
        Quadrature q = Quadrature.gaussLegendre(3);
        double integral = 0;
        for (int i = 0; i < 3; i++) {
            integral += q.weights()[i] * Math.pow(q.points()[i], 5);
        }
        assertEquals(1.0 / 6, integral, 1e-12);
        Quadrature t = Quadrature.trapezoid(5);
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1}, t.points(), 1e-12);
        assertEquals(1.0, java.util.Arrays.stream(t.weights()).sum(), 1e-12);
    }

    @Test
    void gradCamOnOneConvIsWorkedByHand() {
        GraphBuilder g = new GraphBuilder("cam", 13);
        String x = g.input("x", DataType.FLOAT32, 1, 1, 3, 3);
        String a = g.node("Conv", "a", new String[] {x, g.initializer("w", HostTensor.ofFloats(new long[] {2, 1, 1, 1}, 1, 2))});
        String p = g.node("GlobalAveragePool", "p", new String[] {a});
        String f = g.node("Flatten", "f", new String[] {p});
        g.node("Gemm", "y", new String[] {f, g.initializer("fw", HostTensor.ofFloats(new long[] {1, 2}, 1, -1))}, "transB", 1L);
        g.output("y", DataType.FLOAT32, 1, 1);
        try (Executor ex = Executor.of(g.buildModel()); NDManager m = Engines.newManager()) {
            float[] xv = {1, -2, 3, -4, 5, -6, 7, -8, 9};
            NDArray cam = new GradCam("a").attribute(ExecutorModel.of(ex), m, m.create(xv, new Shape(1, 1, 3, 3)), new long[] {0});
            // Channel weights are +1/9 and -1/9 (the pooled gradients), so cam = relu(x/9 - 2x/9) = relu(-x/9).
            float[] expected = new float[9];
            for (int i = 0; i < 9; i++) {
                expected[i] = Math.max(0, -xv[i] / 9);
            }
            assertArrayEquals(new long[] {1, 1, 3, 3}, cam.getShape().getShape());
            assertArrayEquals(expected, cam.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void occlusionOfALinearModelGivesEachFeaturesContribution() {
        GraphBuilder g = new GraphBuilder("lin", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 1, 3, 3);
        String f = g.node("Flatten", "f", new String[] {x});
        float[] w = random(11, 9);
        g.node("Gemm", "y", new String[] {f, g.initializer("w", HostTensor.ofFloats(new long[] {1, 9}, w))}, "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 1);
        try (Executor ex = Executor.of(g.buildModel()); NDManager m = Engines.newManager()) {
            ExecutorModel model = ExecutorModel.of(ex);
            float[] xv = random(12, 9);
            NDArray in = m.create(xv, new Shape(1, 1, 3, 3));
            float[] unit = new Occlusion(1, 1, null, 4).attribute(model, m, in, new long[] {0}).toFloatArray();
            float[] expected = new float[9];
            for (int i = 0; i < 9; i++) {
                expected[i] = w[i] * xv[i];
            }
            assertClose(expected, unit, 1e-5, "window 1");
            float[] two = new Occlusion(2, 1, null, 2).attribute(model, m, in, new long[] {0}).toFloatArray();
            // The corner pixel lies in one 2x2 window only: the top-left one.
            float topLeft = expected[0] + expected[1] + expected[3] + expected[4];
            assertEquals(topLeft, two[0], 1e-5);
            // The centre lies in all four windows: the mean of the four window sums.
            float sum = 0;
            for (int[] c : new int[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}}) {
                sum += expected[c[0] * 3 + c[1]] + expected[c[0] * 3 + c[1] + 1] + expected[(c[0] + 1) * 3 + c[1]]
                        + expected[(c[0] + 1) * 3 + c[1] + 1];
            }
            assertEquals(sum / 4, two[4], 1e-5);
            // Smoothing the gradient of a linear model changes nothing, and the same seed gives the same noise.
            float[] smooth = new SmoothGrad(new Saliency(false), 0.3f, 5, 1).attribute(model, m, in, new long[] {0}).toFloatArray();
            assertClose(w, smooth, 1e-6, "SmoothGrad of a linear model");
        }
    }

    @Test
    void smoothGradIsReproducibleUnderItsSeed() {
        try (Executor ex = Executor.of(smoothCnn()); NDManager m = Engines.newManager()) {
            ExecutorModel model = ExecutorModel.of(ex);
            NDArray x = m.create(random(13, 50), new Shape(1, 2, 5, 5));
            float[] a = new SmoothGrad(new Saliency(false), 0.2f, 4, 42).attribute(model, m, x, new long[] {0}).toFloatArray();
            float[] b = new SmoothGrad(new Saliency(false), 0.2f, 4, 42).attribute(model, m, x, new long[] {0}).toFloatArray();
            float[] plain = new Saliency(false).attribute(model, m, x, new long[] {0}).toFloatArray();
            assertArrayEquals(a, b);
            assertTrue(io.candor.interop.testing.Arrays2.relativeError(a, plain) > 1e-3, "noise changes the nonlinear model's map");
        }
    }
}
