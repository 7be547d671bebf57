package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import io.candor.interop.exec.ops.WindowMax;
import java.util.Arrays;
import java.util.List;

/**
 * 2-D MaxPool: both parts are taken at the argmax of the total, for any kernel, stride and padding
 * (PyTorch's first index on ties, since windows are scanned in the same row-major order). The total is
 * the op's own output. DJL has no max-pool with indices, so the argmax is found without gradient by
 * scanning each window's elements as strided views of the (padded) plane, and the relevant part is
 * gathered there: one gather with gradient. Transposing the windows into place instead cost 10 ms per
 * [64, 20, 24, 24] tensor here, against 2.7 ms for the pooling itself.
 * Unlike CDEP's unpool trick (valid for 2x2 pools only) this holds for overlapping windows too.
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
        // Pad so that every window, including ceil-mode ones hanging past the end, lies inside.
        long hp = Math.max(in[2] + pads[0] + pads[2], (oh - 1) * strides[0] + kernel[0]);
        long wp = Math.max(in[3] + pads[1] + pads[3], (ow - 1) * strides[1] + kernel[1]);
        Shape torchPads = new Shape(pads[1], wp - in[3] - pads[1], pads[0], hp - in[2] - pads[0]);
        NDArray total = padded(x.total(), torchPads, Double.NEGATIVE_INFINITY);
        NDArray offset = WindowMax.first(total, kernel, strides, oh, ow, (p, q) -> p * wp + q);
        NDArray corner = call.manager().arange(0, oh * strides[0] * wp, strides[0] * wp, DataType.INT64).reshape(oh, 1)
                .add(call.manager().arange(0, ow * strides[1], strides[1], DataType.INT64).reshape(1, ow));
        NDArray at = offset.add(corner).reshape(in[0], in[1], oh * ow);
        // The total is the op's own output (its own gradient too); the relevant part is picked at the argmax.
        NDArray relevant = padded(x.relevant(), torchPads, 0).reshape(in[0], in[1], -1).gather(at, 2)
                .reshape(in[0], in[1], oh, ow);
        return List.of(CdValue.of(call.plainTotals().get(0), relevant));
    }

    /** x padded with {@code value} by {@code pads} (PyTorch's order), or x itself when they are all zero. */
    private static NDArray padded(NDArray x, Shape pads, double value) {
        return java.util.stream.LongStream.of(pads.getShape()).anyMatch(p -> p != 0) ? x.pad(pads, value) : x;
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
}
