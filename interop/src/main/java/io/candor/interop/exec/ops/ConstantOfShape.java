package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.util.List;

/** ONNX ConstantOfShape: a tensor of the given shape filled with {@code value} (default float 0). */
public final class ConstantOfShape implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        long[] shape = call.longs(0);
        for (long d : shape) {
            if (d < 0) {
                throw call.error("negative dimension in shape " + java.util.Arrays.toString(shape));
            }
        }
        HostTensor value = call.attrs().getTensor("value");
        if (value == null) {
            value = HostTensor.zeros(DataType.FLOAT32, new long[] {1});
        }
        if (value.size() != 1) {
            throw call.error("value must hold one element");
        }
        try (NDArray scalar = value.reshape().toNDArray(call.manager())) {
            return List.of(scalar.broadcast(new Shape(shape)).duplicate());
        }
    }
}
