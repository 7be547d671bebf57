package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.Arrays;
import java.util.List;

/** ONNX MaxPool over 1, 2 or 3 spatial axes. The optional Indices output is not supported. */
public final class MaxPool implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        int rank = x.getShape().dimension();
        if (rank < 3 || rank > 5) {
            throw call.error("input must be N x C x spatial (rank 3 to 5), got " + x.getShape());
        }
        if (!call.node().output(1).isEmpty()) {
            throw call.error("the Indices output of MaxPool is not supported");
        }
        long[] kernel = call.attrs().getInts("kernel_shape");
        if (kernel == null || kernel.length != rank - 2) {
            throw call.error("kernel_shape must list " + (rank - 2) + " sizes");
        }
        WindowGeometry g = WindowGeometry.of(call, kernel, WindowGeometry.spatial(x));
        if (Arrays.stream(g.dilations()).anyMatch(d -> d != 1)) {
            throw call.error("dilated max pooling is not supported");
        }
        boolean ceil = call.attrs().getInt("ceil_mode", 0) != 0;
        NDArray padded = g.padInput(x, Double.NEGATIVE_INFINITY);
        return List.of(padded.getNDArrayInternal().maxPool(new Shape(kernel), new Shape(g.strides()),
                g.torchPadding(), ceil));
    }
}
