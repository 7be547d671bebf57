package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.List;

/** ONNX Transpose; without {@code perm} it reverses the axes. */
public final class Transpose implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        int rank = x.getShape().dimension();
        long[] perm = call.attrs().getInts("perm");
        if (perm != null && perm.length != rank) {
            throw call.error("perm has " + perm.length + " axes for an input of rank " + rank);
        }
        int[] axes = new int[rank];
        for (int i = 0; i < rank; i++) {
            axes[i] = perm == null ? rank - 1 - i : call.axis(perm[i], rank);
        }
        return List.of(x.transpose(axes));
    }
}
