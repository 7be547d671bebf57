package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.List;

/**
 * ONNX Pad in constant mode (negative pads crop). Pads are an attribute before opset 11 and an input
 * from 11 on, listed as all begins then all ends; PyTorch wants (begin, end) pairs from the last axis.
 */
public final class Pad implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        int rank = x.getShape().dimension();
        String mode = call.attrs().getString("mode", "constant");
        if (!mode.equals("constant")) {
            throw call.error("pad mode '" + mode + "' is not supported (only constant)");
        }
        long[] pads;
        double value;
        if (call.opset() >= 11) {
            pads = call.longs(1);
            value = call.optional(2) == null ? 0 : call.optional(2).toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
            if (call.optional(3) != null) {
                pads = expandAxes(call, pads, call.longs(3), rank);
            }
        } else {
            pads = call.attrs().getInts("pads");
            value = call.attrs().getFloat("value", 0f);
        }
        if (pads == null || pads.length != 2 * rank) {
            throw call.error("pads must hold " + 2 * rank + " values for an input of rank " + rank);
        }
        long[] torchPads = new long[2 * rank];
        for (int axis = 0; axis < rank; axis++) {
            int fromEnd = rank - 1 - axis;
            torchPads[2 * fromEnd] = pads[axis];
            torchPads[2 * fromEnd + 1] = pads[axis + rank];
        }
        return List.of(x.pad(new Shape(torchPads), value));
    }

    /** Opset 18's {@code axes} input: pads given for some axes only. */
    private static long[] expandAxes(OpCall call, long[] pads, long[] axes, int rank) {
        long[] full = new long[2 * rank];
        for (int i = 0; i < axes.length; i++) {
            int a = call.axis(axes[i], rank);
            full[a] = pads[i];
            full[a + rank] = pads[i + axes.length];
        }
        return full;
    }
}
