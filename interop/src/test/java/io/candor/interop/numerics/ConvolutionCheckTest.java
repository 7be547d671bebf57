package io.candor.interop.numerics;

import static io.candor.interop.testing.Arrays2.assertClose;
import static io.candor.interop.testing.Arrays2.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.exec.ops.Convolutions;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Candor's convolution, forward and both gradients, against plain loops at the channel counts that
 * oneDNN pads (see {@link Convolutions}), at 1 and 2 threads; and the check itself, which must catch a
 * wrong convolution.
 */
class ConvolutionCheckTest {
    @Test
    void loopsMatchValuesWorkedByHand() {
        // x = [[1, 2], [3, 4]], w = [[1, 0], [0, -1]]: one output, 1 - 4 = -3, plus bias 0.5.
        LoopConvolution conv = new LoopConvolution(new int[] {1, 1, 2, 2}, new int[] {1, 1, 2, 2},
                new int[] {0, 0, 0, 0}, new int[] {1, 1}, new int[] {1, 1}, 1);
        float[] x = {1, 2, 3, 4};
        float[] w = {1, 0, 0, -1};
        assertArrayEquals(new float[] {-2.5f}, conv.forward(x, w, new float[] {0.5f}));
        assertArrayEquals(new float[] {2, 0, 0, -2}, conv.inputGradient(new float[] {2}, w));
        assertArrayEquals(new float[] {2, 4, 6, 8}, conv.weightGradient(x, new float[] {2}));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void candorsConvolutionPassesEveryCaseAtEachThreadCount(int threads) {
        List<CheckResult> results = new java.util.ArrayList<>(Engines.withThreads(threads,
                () -> ConvolutionCheck.run(ConvolutionCheck.CANDOR, ConvolutionCheck.STANDARD)));
        assertEquals(3 * ConvolutionCheck.STANDARD.size(), results.size());
        // The path of a first layer trained on data: input held constant, output channels not padded.
        results.addAll(Engines.withThreads(threads,
                () -> ConvolutionCheck.run(ConvolutionCheck.CANDOR, ConvolutionCheck.STANDARD, false)));
        for (CheckResult r : results) {
            assertTrue(r.passed(), r + " at " + threads + " threads");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void convOpGradientsAtAwkwardChannelCounts(int threads) {
        // The executor's Conv node with asymmetric pads, gradients by Executor.gradients.
        int[][] channels = {{3, 5}, {5, 20}, {20, 50}, {50, 20}};
        for (int[] c : channels) {
            int[] xs = {2, c[0], 6, 5};
            int[] ws = {c[1], c[0], 3, 3};
            int[] pads = {1, 0, 2, 1};
            float[] x = random(c[0], xs[0] * xs[1] * xs[2] * xs[3]);
            float[] w = random(c[1], ws[0] * ws[1] * ws[2] * ws[3]);
            float[] b = random(7, ws[0]);
            LoopConvolution loops = new LoopConvolution(xs, ws, pads, new int[] {1, 1}, new int[] {1, 1}, 1);
            int[] ys = loops.outputShape();
            float[] seed = random(11, ys[0] * ys[1] * ys[2] * ys[3]);
            GraphBuilder g = new GraphBuilder("conv", 13);
            String in = g.input("x", DataType.FLOAT32, xs[0], xs[1], xs[2], xs[3]);
            g.node("Conv", "y", new String[] {in, g.initializer("w", HostTensor.ofFloats(longs(ws), w)),
                g.initializer("b", HostTensor.ofFloats(new long[] {ws[0]}, b))}, "pads", new long[] {1, 0, 2, 1});
            g.output("y", DataType.FLOAT32);
            String what = "in " + c[0] + ", out " + c[1] + " at " + threads + " threads";
            Engines.withThreads(threads, () -> {
                try (Executor ex = Executor.of(g.buildModel()); NDManager m = Engines.newManager()) {
                    NDArray xa = m.create(x, new Shape(longs(xs)));
                    float[] y = ex.run(m, Map.of("x", xa), List.of("y")).get("y").toFloatArray();
                    assertClose(loops.forward(x, w, b), y, 1e-5, what + ": forward");
                    Map<String, NDArray> grads = ex.gradients(m, Map.of("x", xa), "y",
                            m.create(seed, new Shape(longs(ys))), List.of("x", "w"));
                    assertClose(loops.inputGradient(seed, w), grads.get("x").toFloatArray(), 1e-5, what + ": input gradient");
                    assertClose(loops.weightGradient(x, seed), grads.get("w").toFloatArray(), 1e-5, what + ": weight gradient");
                }
                return null;
            });
        }
    }

    @Test
    void theCheckCatchesAWrongForwardAndAWrongGradient() {
        // 1% off in the forward pass.
        ConvolutionCheck.Convolution scaled = (x, w, b, s, p, d, g, in) -> Convolutions.convolve(x, w, b, s, p, d, g, in).mul(1.01f);
        List<CheckResult> forward = ConvolutionCheck.run(scaled, ConvolutionCheck.STANDARD.subList(0, 1));
        assertFalse(forward.get(0).passed(), forward.get(0).toString());
        // Right forward, input gradient 10% too large: y + (c(0.1 x) - stop(c(0.1 x))).
        ConvolutionCheck.Convolution badGradient = (x, w, b, s, p, d, g, in) -> {
            NDArray extra = Convolutions.convolve(x.mul(0.1f), w, null, s, p, d, g, in);
            return Convolutions.convolve(x, w, b, s, p, d, g, in).add(extra.sub(extra.stopGradient()));
        };
        List<CheckResult> gradient = ConvolutionCheck.run(badGradient, ConvolutionCheck.STANDARD.subList(0, 1));
        assertTrue(gradient.get(0).passed(), gradient.get(0).toString());
        assertFalse(gradient.get(1).passed(), gradient.get(1).toString());
        assertTrue(gradient.get(1).what().contains("input gradient"));
        // NaN never passes.
        assertFalse(CheckResult.compare("nan", new float[] {Float.NaN}, new float[] {1}, 1).passed());
        assertTrue(SelfCheck.failureMessage(forward).contains("candor doctor"));
    }

    @Test
    void theSelfCheckPassesOnThisMachine() {
        // Throws, naming the failing case, where Candor's convolution is wrong.
        SelfCheck.ensureConvolutionsCorrect();
    }

    private static long[] longs(int[] a) {
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            l[i] = a[i];
        }
        return l;
    }
}
