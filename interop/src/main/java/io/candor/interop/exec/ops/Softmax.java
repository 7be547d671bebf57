package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.List;

/**
 * ONNX Softmax and LogSoftmax. Before opset 13 they flatten the input to 2-D at {@code axis} (default
 * 1) and normalise over the second dimension; from 13 on they normalise over one axis (default -1).
 */
public final class Softmax implements OpKernel {
    private final boolean log;

    private Softmax(boolean log) {
        this.log = log;
    }

    public static Softmax softmax() {
        return new Softmax(false);
    }

    public static Softmax logSoftmax() {
        return new Softmax(true);
    }

    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        int rank = x.getShape().dimension();
        if (call.opset() >= 13) {
            int axis = call.axis(call.attrs().getInt("axis", -1), rank);
            return List.of(normalise(x, axis));
        }
        int axis = call.axis(call.attrs().getInt("axis", 1), rank);
        Shape shape = x.getShape();
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape.get(i);
        }
        NDArray flat = x.reshape(outer, -1);
        return List.of(normalise(flat, 1).reshape(shape));
    }

    private NDArray normalise(NDArray x, int axis) {
        return log ? x.logSoftmax(axis) : x.softmax(axis);
    }
}
