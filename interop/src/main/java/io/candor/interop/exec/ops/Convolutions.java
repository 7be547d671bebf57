package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's convolution, with channel counts padded so that oneDNN never pads a channel block itself.
 *
 * <p>Why: libtorch 2.7.1 runs float convolutions through oneDNN, which stores activations and weights
 * in channel blocks of 16, 32 or 64 and pads a partial block. On some CPUs (measured: AMD EPYC with
 * AVX-512, oneDNN 3.7.1, with its AVX-512 and its AVX2 kernels) the reorders into such padded blocks
 * leave the padding wrong, so the forward pass is wrong when the input channel count is not a whole
 * number of blocks, and the input gradient is wrong when the output channel count is not, by 5-80% and
 * sometimes NaN. Whole blocks are computed correctly. So the weight (and, where needed, the input) is
 * zero-padded here to a multiple of 64 channels, the largest block oneDNN uses for float, and the extra
 * output channels are sliced off. Zeros add nothing to any sum, so the result is the convolution's, and
 * autograd carries gradients through the padding and the slice unchanged.
 *
 * <p>Small input channel counts are left alone: oneDNN reads them from the plain layout without
 * padding. Output channels are padded only when the input may receive a gradient, since only the input
 * gradient reads them: inference, and a first layer trained on data, run without that cost. The executor
 * knows which tensors autograd records ({@link io.candor.interop.exec.OpCall#recordsGradient}); a caller
 * that does not gets the safe answer (padded whenever autograd records). Grouped convolutions run on other oneDNN kernels, which compute correctly, and
 * are passed through. {@code candor doctor} and {@link io.candor.interop.numerics.SelfCheck} verify all
 * of this against plain Java loops on the machine at hand.
 */
public final class Convolutions {
    /** The channel multiple that is a whole number of blocks for every float layout of oneDNN. */
    static final long BLOCK = 64;
    /** Input channel counts up to this are read from the plain layout and never padded by oneDNN. */
    static final long PLAIN_INPUT_CHANNELS = 4;

    private Convolutions() {
    }

    /**
     * The convolution of {@code x} [N, C, ...] by {@code w} [M, C / group, ...] with optional bias [M],
     * PyTorch's symmetric {@code padding}, {@code strides} and {@code dilations}.
     */
    public static NDArray convolve(NDArray x, NDArray w, NDArray bias, Shape strides, Shape padding,
            Shape dilations, int group) {
        return convolve(x, w, bias, strides, padding, dilations, group, JniUtils.isGradMode());
    }

    /**
     * As above, saying whether the input may receive a gradient ({@code inputGradient}): only then are
     * the output channels padded, which the input gradient needs and nothing else does.
     */
    public static NDArray convolve(NDArray x, NDArray w, NDArray bias, Shape strides, Shape padding,
            Shape dilations, int group, boolean inputGradient) {
        if (group != 1) {
            return raw(x, w, bias, strides, padding, dilations, group);
        }
        long in = x.getShape().get(1);
        long out = w.getShape().get(0);
        long paddedIn = in <= PLAIN_INPUT_CHANNELS ? in : roundUp(in);
        long paddedOut = inputGradient ? roundUp(out) : out;
        NDArray xp = zeroPad(x, 1, paddedIn);
        NDArray wp = zeroPad(zeroPad(w, 1, paddedIn), 0, paddedOut);
        NDArray y = raw(xp, wp, null, strides, padding, dilations, 1);
        if (paddedOut != out) {
            y = y.get(new NDIndex(":, :" + out));
        }
        if (bias != null) {
            long[] biasShape = new long[y.getShape().dimension()];
            java.util.Arrays.fill(biasShape, 1);
            biasShape[1] = out;
            y = y.add(bias.reshape(new Shape(biasShape)));
        }
        return y;
    }

    /** libtorch's convolution as it is, whatever oneDNN does with it; for the self-check's comparison. */
    public static NDArray raw(NDArray x, NDArray w, NDArray bias, Shape strides, Shape padding,
            Shape dilations, int group) {
        return x.getNDArrayInternal().convolution(x, w, bias, strides, padding, dilations, group)
                .singletonOrThrow();
    }

    static long roundUp(long channels) {
        return (channels + BLOCK - 1) / BLOCK * BLOCK;
    }

    /** {@code a} with zeros appended along {@code axis} up to {@code size}; {@code a} itself if it fits. */
    private static NDArray zeroPad(NDArray a, int axis, long size) {
        long have = a.getShape().get(axis);
        if (have == size) {
            return a;
        }
        // One constant pad (torch's order: last axis first, two sides each) rather than zeros and a concatenation.
        long[] pads = new long[2 * (a.getShape().dimension() - axis)];
        pads[pads.length - 1] = size - have;
        return a.pad(new Shape(pads), 0);
    }
}
