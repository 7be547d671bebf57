package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * The 2-D transposed convolution (one group, no dilation), computed as an ordinary convolution through
 * {@link Convolutions}, so it is right on every CPU: the input spread out by the stride and padded by
 * kernel - 1 - pad, convolved with the kernel flipped and its two channel axes swapped. It is Conv's
 * input gradient and ONNX's ConvTranspose.
 */
public final class TransposedConvolution {
    /** Output channel counts up to this (an image's 1 or 3) take the grouped route. */
    static final long FEW_CHANNELS = 4;

    private TransposedConvolution() {
    }

    /**
     * @param x [N, C_in, H, W]
     * @param w [C_in, C_out, kH, kW] (a Conv's weight seen from its output, or ConvTranspose's)
     * @param padsBegin the padding removed at the start of each spatial axis
     * @param lengths the output's spatial lengths
     * @return [N, C_out, lengths[0], lengths[1]]
     */
    public static NDArray apply(NDArray x, NDArray w, long[] strides, long[] padsBegin, long[] lengths) {
        long[] ws = w.getShape().getShape();
        NDArray g = x;
        for (int axis = 0; axis < 2; axis++) {
            g = spread(g, axis + 2, strides[axis]);
        }
        long[] before = new long[2];
        long[] after = new long[2];
        for (int a = 0; a < 2; a++) {
            long k = ws[a + 2];
            before[a] = k - 1 - padsBegin[a];
            // The convolution below gives g's length + before + after - k + 1, which must be the output's.
            after[a] = lengths[a] - g.getShape().get(a + 2) - before[a] + k - 1;
        }
        g = padOrCrop(g, before, after);
        Shape one = new Shape(1, 1);
        Shape none = new Shape(0, 0);
        if (ws[1] <= FEW_CHANNELS) {
            // Few output channels (an image's 1 or 3): a dense convolution would have that few output
            // channels, which Convolutions pads to 64 when a gradient flows back through it. As a grouped
            // convolution (each input channel by its own C kernels; grouped kernels are right on every
            // CPU) summed over the groups it costs what it computes.
            NDArray perGroup = Convolutions.convolve(g, w.flip(2, 3).reshape(ws[0] * ws[1], 1, ws[2], ws[3]), null,
                    one, none, one, (int) ws[0]);
            long[] ys = perGroup.getShape().getShape();
            return perGroup.reshape(ys[0], ws[0], ws[1], ys[2], ys[3]).sum(new int[] {1});
        }
        return Convolutions.convolve(g, w.flip(2, 3).transpose(1, 0, 2, 3), null, one, none, one, 1);
    }

    /** g with stride - 1 zeros between its elements along {@code axis}. */
    private static NDArray spread(NDArray g, int axis, long stride) {
        if (stride == 1) {
            return g;
        }
        long[] shape = g.getShape().getShape();
        long length = shape[axis];
        long[] zerosShape = shape.clone();
        zerosShape = insert(zerosShape, axis + 1, stride - 1);
        zerosShape[axis] = length;
        NDArray widened = g.expandDims(axis + 1).concat(g.getManager().zeros(new Shape(zerosShape), g.getDataType()), axis + 1);
        long[] merged = shape.clone();
        merged[axis] = length * stride;
        NDIndex keep = new NDIndex(":, ".repeat(axis) + ":" + ((length - 1) * stride + 1));
        return widened.reshape(new Shape(merged)).get(keep);
    }

    private static long[] insert(long[] a, int at, long value) {
        long[] out = new long[a.length + 1];
        System.arraycopy(a, 0, out, 0, at);
        out[at] = value;
        System.arraycopy(a, at, out, at + 1, a.length - at);
        return out;
    }

    /** Zero padding (positive) or cropping (negative) of the two spatial axes. */
    private static NDArray padOrCrop(NDArray g, long[] before, long[] after) {
        long h = g.getShape().get(2);
        long w = g.getShape().get(3);
        NDArray cropped = g.get(new NDIndex(":, :, {}:{}, {}:{}", Math.max(0, -before[0]), h - Math.max(0, -after[0]),
                Math.max(0, -before[1]), w - Math.max(0, -after[1])));
        Shape torchPads = new Shape(Math.max(0, before[1]), Math.max(0, after[1]), Math.max(0, before[0]), Math.max(0, after[0]));
        return Arrays.stream(torchPads.getShape()).allMatch(p -> p == 0) ? cropped : cropped.pad(torchPads, 0);
    }
}
