package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import java.util.Arrays;
import java.util.List;

/**
 * 2-D MaxPool: both parts are taken at the argmax of the total, for any kernel, stride and padding
 * (PyTorch's first index on ties, since windows are scanned in the same row-major order). DJL has no
 * max-pool with indices, so every window is gathered by a precomputed index, its argmax taken on the
 * total, and the relevant part picked with the one-hot of that argmax: differentiable in the relevant
 * part. Unlike CDEP's unpool trick (valid for 2x2 pools only) this holds for overlapping windows too.
 */
public final class MaxPoolRule implements CdRule {
    @Override
    public List<CdValue> apply(CdCall call) {
        call.requireOnlyDecomposed(0);
        CdValue x = call.input(0);
        NDArray pooled = call.plainTotals().get(0);
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
        long oh = pooled.getShape().get(2);
        long ow = pooled.getShape().get(3);
        // Pad so that every window, including ceil-mode ones hanging past the end, lies inside.
        long hp = Math.max(in[2] + pads[0] + pads[2], (oh - 1) * strides[0] + kernel[0]);
        long wp = Math.max(in[3] + pads[1] + pads[3], (ow - 1) * strides[1] + kernel[1]);
        long[] torchPads = {pads[1], wp - in[3] - pads[1], pads[0], hp - in[2] - pads[0]};
        NDArray index = windowIndex(call, oh, ow, kernel, strides, wp);
        long k = kernel[0] * kernel[1];
        NDArray totalWindows = windows(x.total().pad(new Shape(torchPads), Double.NEGATIVE_INFINITY), index, in, oh, ow, k);
        NDArray choice = totalWindows.argMax(4).expandDims(4);
        NDArray positions = call.manager().arange(0, (int) k, 1, DataType.INT64).reshape(1, 1, 1, 1, k);
        NDArray oneHot = positions.eq(choice).toType(x.relevant().getDataType(), false);
        NDArray relevantWindows = windows(x.relevant().pad(new Shape(torchPads), 0), index, in, oh, ow, k);
        return List.of(CdValue.of(pooled, relevantWindows.mul(oneHot).sum(new int[] {4})));
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

    private static NDArray windows(NDArray padded, NDArray index, long[] in, long oh, long ow, long k) {
        NDArray flat = padded.reshape(in[0], in[1], -1);
        return flat.get(new NDIndex(":, :, {}", index)).reshape(in[0], in[1], oh, ow, k);
    }
}
