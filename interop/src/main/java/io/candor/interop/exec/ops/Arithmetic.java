package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.Arrays;
import java.util.List;
import java.util.function.BinaryOperator;

/** ONNX Add, Sub, Mul and Div with NumPy broadcasting. */
public final class Arithmetic implements OpKernel {
    private final BinaryOperator<NDArray> op;

    private Arithmetic(BinaryOperator<NDArray> op) {
        this.op = op;
    }

    public static Arithmetic add() {
        return new Arithmetic(NDArray::add);
    }

    public static Arithmetic sub() {
        return new Arithmetic(NDArray::sub);
    }

    public static Arithmetic mul() {
        return new Arithmetic(NDArray::mul);
    }

    /** Division; on integers it truncates toward zero as ONNX says (PyTorch would return floats). */
    public static Arithmetic div() {
        return new Arithmetic((a, b) -> {
            if (a.getDataType().isFloating()) {
                return a.div(b);
            }
            NDArray q = a.toType(DataType.FLOAT64, false).div(b.toType(DataType.FLOAT64, false));
            return q.abs().floor().mul(q.sign()).toType(a.getDataType(), false);
        });
    }

    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray a = call.input(0);
        NDArray b = call.input(1);
        requireBroadcastable(call, a.getShape().getShape(), b.getShape().getShape());
        return List.of(op.apply(a, b));
    }

    static void requireBroadcastable(OpCall call, long[] a, long[] b) {
        for (int i = 1; i <= Math.min(a.length, b.length); i++) {
            long x = a[a.length - i];
            long y = b[b.length - i];
            if (x != y && x != 1 && y != 1) {
                throw call.error("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast");
            }
        }
    }
}
