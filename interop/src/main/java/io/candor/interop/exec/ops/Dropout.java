package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
        NDArray scale = scaledKeepMask(call, x.getShape(), x.getDataType());
        if (scale == null) {
            NDArray mask = wantMask ? call.manager().ones(x.getShape(), DataType.BOOLEAN) : null;
            return Arrays.asList(Activations.alias(x), mask);
        }
        return Arrays.asList(x.mul(scale), wantMask ? scale.gt(0) : null);
    }

    /**
     * What the kept elements are multiplied by: 1 / (1 - ratio) where kept, 0 where dropped; drawn anew
     * at each call. {@code null} when nothing drops (evaluation, or a ratio of 0). CD applies one such
     * draw to the total and to the relevant part alike.
     */
    public static NDArray scaledKeepMask(OpCall call, Shape shape, DataType type) {
        float ratio = call.opset() >= 12
                ? (call.optional(1) == null ? 0.5f : call.optional(1).toType(DataType.FLOAT32, false).getFloat())
                : call.attrs().getFloat("ratio", 0.5f);
        if (!call.training() || ratio == 0f) {
            return null;
        }
        NDArray keep = call.manager().randomUniform(0f, 1f, shape).gte(ratio);
        return keep.toType(type, false).div(1f - ratio); // no autograd
    }
}
