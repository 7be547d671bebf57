package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.List;

/** ONNX Flatten: to 2-D, the axes before {@code axis} (default 1) in the first dimension. */
public final class Flatten implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        long[] s = x.getShape().getShape();
        long axis = call.attrs().getInt("axis", 1);
        int a = axis == s.length ? s.length : call.axis(axis, s.length);
        long outer = 1;
        for (int i = 0; i < a; i++) {
            outer *= s[i];
        }
        long inner = 1;
        for (int i = a; i < s.length; i++) {
            inner *= s[i];
        }
        return List.of(x.reshape(outer, inner));
    }
}
