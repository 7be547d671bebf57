package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX Dropout. It drops only when the executor trains; Candor decides the mode, not the exported
 * {@code training_mode} input (PyTorch's eval export usually removes Dropout anyway). The ratio is an
 * attribute before opset 12 and an input from 12 on.
 */
public final class Dropout implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        boolean wantMask = !call.node().output(1).isEmpty();
        float ratio = call.opset() >= 12
                ? (call.optional(1) == null ? 0.5f : call.optional(1).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).getFloat())
                : call.attrs().getFloat("ratio", 0.5f);
        if (!call.training() || ratio == 0f) {
            NDArray mask = wantMask ? call.manager().ones(x.getShape(), ai.djl.ndarray.types.DataType.BOOLEAN) : null;
            return Arrays.asList(Activations.alias(x), mask);
        }
        NDArray keep = call.manager().randomUniform(0f, 1f, x.getShape()).gte(ratio);
        NDArray y = x.mul(keep.toType(x.getDataType(), false)).div(1f - ratio);
        return Arrays.asList(y, wantMask ? keep : null);
    }
}
