package io.candor.interop.numerics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.exec.ops.Convolutions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Checks a convolution, forward and both gradients, against {@link LoopConvolution} on small cases
 * chosen to catch what goes wrong in practice: channel counts that are not whole blocks of oneDNN's
 * layouts (1, 3, 5, 20, 48, 50 in; 5, 20, 24 out); batches of 2, since libtorch sends a single small image
 * to its own kernels rather than oneDNN's, strides of 1 and 2, and a grouped convolution.
 */
public final class ConvolutionCheck {
    /** Float32 sums of up to a few hundred terms stay well within this of the double-precision loops. */
    public static final double TOLERANCE = 1e-4;

    /**
     * A convolution with PyTorch's arguments (symmetric padding), such as libtorch's or Candor's;
     * {@code inputGradient} says whether the input will receive a gradient.
     */
    @FunctionalInterface
    public interface Convolution {
        NDArray apply(NDArray x, NDArray w, NDArray bias, Shape strides, Shape padding, Shape dilations, int group,
                boolean inputGradient);
    }

    /** Candor's convolution (channels padded to whole oneDNN blocks). */
    public static final Convolution CANDOR = Convolutions::convolve;

    /** libtorch's convolution as it is, whatever oneDNN does with it. */
    public static final Convolution LIBTORCH = (x, w, b, s, p, d, g, inputGradient) -> Convolutions.raw(x, w, b, s, p, d, g);

    /** One problem: batch, channels in and out, a square input and kernel, stride, groups. */
    public record Case(int batch, int in, int out, int size, int kernel, int stride, int group) {
        @Override
        public String toString() {
            return "in " + in + ", out " + out + ", " + kernel + "x" + kernel + ", stride " + stride
                    + (group > 1 ? ", group " + group : "");
        }
    }

    /** The cases of {@code candor doctor}; the per-process self-check runs the first {@link #QUICK}. */
    public static final List<Case> STANDARD = List.of(
            new Case(2, 1, 20, 5, 5, 1, 1),
            new Case(2, 3, 5, 4, 3, 1, 1),
            new Case(2, 5, 20, 5, 3, 2, 1),
            new Case(2, 20, 24, 4, 3, 1, 1),
            new Case(2, 50, 20, 4, 3, 1, 1),
            new Case(2, 48, 20, 6, 3, 2, 1),
            new Case(2, 40, 40, 5, 3, 1, 2));

    /** Number of leading {@link #STANDARD} cases (in-channels 1, 3, 5, 20, 50) the self-check runs. */
    public static final int QUICK = 5;

    /** A convolution on whole channel blocks, right on every CPU: starts libtorch's kernels up. */
    public static final Case WARM_UP = new Case(2, 16, 16, 8, 3, 1, 1);

    private ConvolutionCheck() {
    }

    /** Three results per case: forward, input gradient, weight gradient. */
    public static List<CheckResult> run(Convolution conv, List<Case> cases) {
        return run(conv, cases, true);
    }

    /**
     * With {@code inputGradient} false the input is held constant, as a first layer trained on data is:
     * two results per case, forward and weight gradient (Candor pads less on that path).
     */
    public static List<CheckResult> run(Convolution conv, List<Case> cases, boolean inputGradient) {
        List<CheckResult> results = new ArrayList<>();
        Random random = new Random(20261125);
        for (Case c : cases) {
            int pad = c.kernel() / 2;
            int[] xs = {c.batch(), c.in(), c.size(), c.size()};
            int[] ws = {c.out(), c.in() / c.group(), c.kernel(), c.kernel()};
            LoopConvolution loops = new LoopConvolution(xs, ws, new int[] {pad, pad, pad, pad},
                    new int[] {c.stride(), c.stride()}, new int[] {1, 1}, c.group());
            float[] x = AutogradProbe.random(random, xs[0] * xs[1] * xs[2] * xs[3]);
            float[] w = AutogradProbe.random(random, ws[0] * ws[1] * ws[2] * ws[3]);
            float[] b = AutogradProbe.random(random, c.out());
            int[] ys = loops.outputShape();
            float[] seed = AutogradProbe.random(random, ys[0] * ys[1] * ys[2] * ys[3]);
            List<float[]> got = AutogradProbe.run(
                    in -> conv.apply(in.get(0), in.get(1), in.get(2), new Shape(c.stride(), c.stride()),
                            new Shape(pad, pad), new Shape(1, 1), c.group(), inputGradient),
                    seed, new AutogradProbe.Input(x, inputGradient, longs(xs)), new AutogradProbe.Input(w, longs(ws)),
                    new AutogradProbe.Input(b, c.out()));
            String what = "Conv " + c + (inputGradient ? "" : ", input held constant");
            results.add(CheckResult.compare(what + ": forward", got.get(0), loops.forward(x, w, b), TOLERANCE));
            if (inputGradient) {
                results.add(CheckResult.compare(what + ": input gradient", got.get(1), loops.inputGradient(seed, w), TOLERANCE));
            }
            results.add(CheckResult.compare(what + ": weight gradient", got.get(2),
                    loops.weightGradient(x, seed), TOLERANCE));
        }
        return results;
    }

    private static long[] longs(int[] a) {
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            l[i] = a[i];
        }
        return l;
    }
}
