package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.List;

/**
 * ONNX Slice with starts, ends, axes and steps clamped as the spec says. PyTorch has no negative
 * steps, so a reversed slice is taken on the flipped axis.
 */
public final class Slice implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        long[] shape = x.getShape().getShape();
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps;
        if (call.opset() >= 10) {
            starts = call.longs(1);
            ends = call.longs(2);
            axes = call.optional(3) == null ? null : call.longs(3);
            steps = call.optional(4) == null ? null : call.longs(4);
        } else {
            starts = call.attrs().getInts("starts");
            ends = call.attrs().getInts("ends");
            axes = call.attrs().getInts("axes");
            steps = null;
        }
        if (starts == null || ends == null || starts.length != ends.length
                || (axes != null && axes.length != starts.length) || (steps != null && steps.length != starts.length)) {
            throw call.error("starts, ends, axes and steps must have the same length");
        }
        NDArray y = x;
        for (int i = 0; i < starts.length; i++) {
            int axis = call.axis(axes == null ? i : axes[i], shape.length);
            long step = steps == null ? 1 : steps[i];
            if (step == 0) {
                throw call.error("step 0 is not allowed");
            }
            long dim = shape[axis];
            long start = starts[i] < 0 ? starts[i] + dim : starts[i];
            long end = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (step > 0) {
                start = clamp(start, 0, dim);
                end = clamp(end, 0, dim);
            } else {
                start = clamp(start, 0, dim - 1);
                end = clamp(end, -1, dim - 1);
                // Index i of the flipped axis is dim - 1 - i of the original.
                y = y.flip(axis);
                start = dim - 1 - start;
                end = dim - 1 - end;
                step = -step;
            }
            y = y.get(new NDIndex().addAllDim(axis).addSliceDim(start, Math.max(start, end), step));
        }
        return List.of(y == x ? Activations.alias(x) : y);
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
