package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.List;

/** ONNX AveragePool; {@code count_include_pad} defaults to 0 as in the spec. */
public final class AveragePool implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        int rank = x.getShape().dimension();
        if (rank < 3 || rank > 5) {
            throw call.error("input must be N x C x spatial (rank 3 to 5), got " + x.getShape());
        }
        long[] kernel = call.attrs().getInts("kernel_shape");
        if (kernel == null || kernel.length != rank - 2) {
            throw call.error("kernel_shape must list " + (rank - 2) + " sizes");
        }
        WindowGeometry g = WindowGeometry.of(call, kernel, WindowGeometry.spatial(x));
        boolean ceil = call.attrs().getInt("ceil_mode", 0) != 0;
        boolean countPad = call.attrs().getInt("count_include_pad", 0) != 0;
        if (!g.symmetric() && !countPad) {
            throw call.error("asymmetric pads without count_include_pad are not supported");
        }
        NDArray padded = g.padInput(x, 0);
        NDArray sumOverKernel = averageCountingPads(padded, kernel, g, ceil);
        boolean padsMatter = ceil || java.util.Arrays.stream(g.begin()).anyMatch(p -> p != 0);
        if (countPad || !padsMatter) {
            return List.of(sumOverKernel);
        }
        // DJL's native pooling ignores count_include_pad=false, so divide by the share of each window
        // that lies inside the input, measured by pooling a tensor of ones the same way.
        NDArray share = averageCountingPads(call.manager().ones(padded.getShape(), padded.getDataType()), kernel, g, ceil);
        return List.of(sumOverKernel.div(share));
    }

    private static NDArray averageCountingPads(NDArray x, long[] kernel, WindowGeometry g, boolean ceil) {
        return x.getNDArrayInternal().avgPool(new Shape(kernel), new Shape(g.strides()), g.torchPadding(), ceil, true);
    }
}
