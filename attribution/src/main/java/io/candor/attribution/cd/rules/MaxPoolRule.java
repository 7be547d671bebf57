package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import java.util.Arrays;
import java.util.List;

/**
 * 2-D MaxPool: both parts are taken at the argmax of the total, for any kernel, stride and padding
 * (PyTorch's first index on ties, since windows are scanned in the same row-major order). DJL has no
 * max-pool with indices, so every window is extracted (a reshape when the windows tile the plane, a
 * gather by a precomputed index otherwise), its argmax taken on the total, and the relevant part picked
 * there with a gather: differentiable in the relevant part. Unlike CDEP's unpool trick (valid for 2x2 pools only) this holds for overlapping windows too.
 */
public final class MaxPoolRule implements CdRule {
    @Override
    public List<CdValue> apply(CdCall call) {
        call.requireOnlyDecomposed(0);
        CdValue x = call.input(0);
        long[] in = x.total().getShape().getShape();
        if (in.length != 4) {
            throw call.error("CD supports 2-D max pooling only, got input " + Arrays.toString(in));
        }
        long[] kernel = call.attrs().getInts("kernel_shape");
        long[] strides = call.attrs().getInts("strides", new long[] {1, 1});
        long[] pads = call.attrs().getInts("pads", new long[4]);
        if (!call.attrs().getString("auto_pad", "NOTSET").equals("NOTSET")
                || Arrays.stream(call.attrs().getInts("dilations", new long[] {1, 1})).anyMatch(d -> d != 1)) {
            throw call.error("CD supports MaxPool with explicit pads and no dilation");
        }
        long[] out = outputSize(in, kernel, strides, pads, call.attrs().getInt("ceil_mode", 0) != 0);
        long oh = out[0];
        long ow = out[1];
        boolean tiling = Arrays.equals(kernel, strides) && Arrays.stream(pads).allMatch(p -> p == 0)
                && oh * kernel[0] == in[2] && ow * kernel[1] == in[3];
        Windows windows = tiling ? tiles(in, kernel, oh, ow) : gathered(call, in, kernel, strides, pads, oh, ow);
        NDArray totalWindows = windows.of(x.total(), Double.NEGATIVE_INFINITY);
        NDArray choice = totalWindows.argMax(4).expandDims(4);
        // The total at the argmax is the max itself, so no separate pooling pass is needed.
        NDArray pooled = totalWindows.gather(choice, 4).squeeze(4);
        NDArray relevant = windows.of(x.relevant(), 0).gather(choice, 4).squeeze(4);
        return List.of(CdValue.of(pooled, relevant));
    }

    /** PyTorch's pooled size; in ceil mode a last window must start inside the input or the left padding. */
    static long[] outputSize(long[] in, long[] kernel, long[] strides, long[] pads, boolean ceil) {
        long[] out = new long[2];
        for (int a = 0; a < 2; a++) {
            long span = in[a + 2] + pads[a] + pads[a + 2] - kernel[a];
            long size = (ceil ? Math.floorDiv(span + strides[a] - 1, strides[a]) : Math.floorDiv(span, strides[a])) + 1;
            if (ceil && (size - 1) * strides[a] >= in[a + 2] + pads[a]) {
                size--;
            }
            out[a] = size;
        }
        return out;
    }

    /** Extracts every window of a tensor as [N, C, oh, ow, kernel elements], row-major within the window. */
    @FunctionalInterface
    private interface Windows {
        NDArray of(NDArray x, double padValue);
    }

    /** Windows that tile the plane exactly (the 2x2 pools of the MNIST net and VGG): a reshape. */
    private static Windows tiles(long[] in, long[] kernel, long oh, long ow) {
        return (x, pad) -> x.reshape(in[0], in[1], oh, kernel[0], ow, kernel[1]).transpose(0, 1, 2, 4, 3, 5)
                .reshape(in[0], in[1], oh, ow, kernel[0] * kernel[1]);
    }

    /** Any kernel, stride and padding: pad, then gather by a precomputed index of window positions. */
    private static Windows gathered(CdCall call, long[] in, long[] kernel, long[] strides, long[] pads, long oh, long ow) {
        // Pad so that every window, including ceil-mode ones hanging past the end, lies inside.
        long hp = Math.max(in[2] + pads[0] + pads[2], (oh - 1) * strides[0] + kernel[0]);
        long wp = Math.max(in[3] + pads[1] + pads[3], (ow - 1) * strides[1] + kernel[1]);
        Shape torchPads = new Shape(pads[1], wp - in[3] - pads[1], pads[0], hp - in[2] - pads[0]);
        NDArray index = windowIndex(call, oh, ow, kernel, strides, wp);
        return (x, pad) -> x.pad(torchPads, pad).reshape(in[0], in[1], -1).get(new NDIndex(":, :, {}", index))
                .reshape(in[0], in[1], oh, ow, kernel[0] * kernel[1]);
    }

    /** Flat positions in the padded plane of each window's elements, window by window, row-major. */
    private static NDArray windowIndex(CdCall call, long oh, long ow, long[] kernel, long[] strides, long wp) {
        long[] idx = new long[(int) (oh * ow * kernel[0] * kernel[1])];
        int n = 0;
        for (long i = 0; i < oh; i++) {
            for (long j = 0; j < ow; j++) {
                for (long p = 0; p < kernel[0]; p++) {
                    for (long q = 0; q < kernel[1]; q++) {
                        idx[n++] = (i * strides[0] + p) * wp + j * strides[1] + q;
                    }
                }
            }
        }
        return call.manager().create(idx);
    }
}
