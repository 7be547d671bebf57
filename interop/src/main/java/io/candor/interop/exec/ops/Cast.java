package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import io.candor.interop.tensor.DataType;
import java.util.List;

/** ONNX Cast to the type of its {@code to} attribute (float to integer truncates toward zero). */
public final class Cast implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        DataType to = DataType.fromOnnx((int) call.attrs().requireInt("to", call.node()));
        return List.of(call.input(0).toType(to.toDjl(), true));
    }
}
