package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.Arrays;
import java.util.List;

/** ONNX Shape: the input's shape as int64, optionally a [start, end) part of it (opset 15). */
public final class ShapeOp implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        long[] shape = call.input(0).getShape().getShape();
        int rank = shape.length;
        long start = call.attrs().getInt("start", 0);
        long end = call.attrs().getInt("end", rank);
        int from = (int) Math.max(0, Math.min(rank, start < 0 ? start + rank : start));
        int to = (int) Math.max(0, Math.min(rank, end < 0 ? end + rank : end));
        return List.of(call.manager().create(Arrays.copyOfRange(shape, from, Math.max(from, to))));
    }
}
