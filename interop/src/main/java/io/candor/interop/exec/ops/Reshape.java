package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import io.candor.interop.tensor.HostTensor;
import java.util.Arrays;
import java.util.List;

/** ONNX Reshape: 0 copies the input's dimension (unless {@code allowzero}), -1 is inferred. */
public final class Reshape implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        long[] in = x.getShape().getShape();
        long[] target = call.longs(1);
        boolean allowZero = call.attrs().getInt("allowzero", 0) != 0;
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 0 && !allowZero) {
                if (i >= in.length) {
                    throw call.error("target " + Arrays.toString(target) + " copies dimension " + i
                            + " of " + Arrays.toString(in));
                }
                target[i] = in[i];
            }
            if (target[i] == -1) {
                if (inferred >= 0) {
                    throw call.error("target " + Arrays.toString(target) + " has more than one -1");
                }
                inferred = i;
            } else {
                known *= target[i];
            }
        }
        long total = HostTensor.elementCount(in);
        if (inferred >= 0) {
            if (known == 0 || total % known != 0) {
                throw call.error("cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(target));
            }
            target[inferred] = total / known;
        } else if (known != total) {
            throw call.error("cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(target));
        }
        return List.of(x.reshape(target));
    }
}
