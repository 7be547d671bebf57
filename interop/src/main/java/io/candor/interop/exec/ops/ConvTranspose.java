package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import io.candor.interop.numerics.SelfCheck;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX ConvTranspose, 2-D, one group, no dilation, with explicit pads and output_padding (what
 * PyTorch's ConvTranspose2d exports, and what decoders use to upsample): a {@link TransposedConvolution}
 * plus the bias. output_shape and auto_pad are refused with the reason.
 */
public final class ConvTranspose implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        NDArray w = call.input(1);
        NDArray b = call.optional(2);
        long[] xs = x.getShape().getShape();
        long[] ws = w.getShape().getShape();
        if (xs.length != 4 || ws.length != 4) {
            throw call.error("only 2-D transposed convolutions are supported (input " + Arrays.toString(xs) + ", weight "
                    + Arrays.toString(ws) + ")");
        }
        if (call.attrs().getInt("group", 1) != 1
                || Arrays.stream(call.attrs().getInts("dilations", new long[] {1, 1})).anyMatch(d -> d != 1)) {
            throw call.error("grouped or dilated transposed convolutions are not supported");
        }
        if (call.attrs().getInts("output_shape", null) != null
                || !call.attrs().getString("auto_pad", "NOTSET").equals("NOTSET")) {
            throw call.error("output_shape and auto_pad are not supported; export with explicit pads and output_padding");
        }
        if (xs[1] != ws[0]) {
            throw call.error("input has " + xs[1] + " channels but the weight " + Arrays.toString(ws) + " expects " + ws[0]);
        }
        long[] strides = call.attrs().getInts("strides", new long[] {1, 1});
        long[] pads = call.attrs().getInts("pads", new long[4]);
        long[] extra = call.attrs().getInts("output_padding", new long[2]);
        long[] lengths = new long[2];
        for (int a = 0; a < 2; a++) {
            lengths[a] = strides[a] * (xs[a + 2] - 1) + extra[a] + ws[a + 2] - pads[a] - pads[a + 2];
            if (lengths[a] <= 0) {
                throw call.error("the output would have length " + lengths[a] + " on spatial axis " + a);
            }
        }
        SelfCheck.ensureConvolutionsCorrect();
        NDArray y = TransposedConvolution.apply(x, w, strides, new long[] {pads[0], pads[1]}, lengths);
        return List.of(b == null ? y : y.add(b.reshape(1, ws[1], 1, 1)));
    }
}
