package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.List;

/**
 * ONNX Gather: {@code data} indexed along {@code axis} by an integer tensor of any shape (negative
 * indices count from the end). It is the embedding lookup of text models and a shape accessor in
 * exporter plumbing; it is differentiable with respect to {@code data}.
 */
public final class Gather implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray data = call.input(0);
        NDArray indices = call.input(1);
        if (indices.getDataType().isFloating()) {
            throw call.error("indices must be integers, got " + indices.getDataType());
        }
        int rank = data.getShape().dimension();
        int axis = call.axis(call.attrs().getInt("axis", 0), rank);
        long dim = data.getShape().get(axis);
        if (indices.size() > 0) {
            long max = indices.max().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
            long min = indices.min().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
            if (max >= dim || min < -dim) {
                throw call.error("index " + (max >= dim ? max : min) + " is out of range for axis " + axis
                        + " of size " + dim);
            }
        }
        // data[:, ..., indices]: PyTorch advanced indexing puts the index's shape in place of the axis.
        return List.of(data.get(new NDIndex(":, ".repeat(axis) + "{}", indices)));
    }
}
