package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import io.candor.interop.numerics.SelfCheck;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX Conv (1-D, 2-D or 3-D, grouped, dilated, any padding) as a PyTorch convolution, through
 * {@link Convolutions} so that every CPU computes it right, after the process's one self-check.
 */
public final class Conv implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        NDArray w = call.input(1);
        NDArray b = call.optional(2);
        long[] xs = x.getShape().getShape();
        long[] ws = w.getShape().getShape();
        long group = call.attrs().getInt("group", 1);
        if (xs.length < 3 || xs.length > 5 || ws.length != xs.length) {
            throw call.error("input " + Arrays.toString(xs) + " and weight " + Arrays.toString(ws)
                    + " must both have rank 3, 4 or 5");
        }
        if (xs[1] != ws[1] * group || ws[0] % group != 0) {
            throw call.error("input has " + xs[1] + " channels but the weight " + Arrays.toString(ws)
                    + " with group " + group + " expects " + ws[1] * group);
        }
        long[] kernel = call.attrs().getInts("kernel_shape", Arrays.copyOfRange(ws, 2, ws.length));
        WindowGeometry g = WindowGeometry.of(call, kernel, WindowGeometry.spatial(x));
        NDArray padded = g.padInput(x, 0);
        SelfCheck.ensureConvolutionsCorrect();
        return List.of(Convolutions.convolve(padded, w, b, new Shape(g.strides()), g.torchPadding(),
                new Shape(g.dilations()), (int) group, call.recordsGradient(0) && JniUtils.isGradMode()));
    }
}
