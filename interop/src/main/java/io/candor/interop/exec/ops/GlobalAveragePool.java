package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.List;

/** ONNX GlobalAveragePool: the mean over every spatial axis, kept as size-1 axes. */
public final class GlobalAveragePool implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        int rank = x.getShape().dimension();
        if (rank < 3) {
            throw call.error("input must be N x C x spatial, got " + x.getShape());
        }
        long[] s = x.getShape().getShape();
        long[] kept = new long[rank];
        java.util.Arrays.fill(kept, 1);
        kept[0] = s[0];
        kept[1] = s[1];
        // DJL's mean keeps dimensions for one axis only, so average over the flattened spatial axes.
        return List.of(x.reshape(s[0], s[1], -1).mean(new int[] {2}, true).reshape(kept));
    }
}
