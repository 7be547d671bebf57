package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.Arrays;
import java.util.List;

/** ONNX Unsqueeze; axes (attribute before opset 13, input from 13) index the output's axes. */
public final class Unsqueeze implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        long[] axes = call.axes("axes", 1, 13);
        if (axes == null) {
            throw call.error("needs axes");
        }
        int outRank = x.getShape().dimension() + axes.length;
        int[] sorted = Arrays.stream(axes).mapToInt(a -> call.axis(a, outRank)).sorted().toArray();
        long[] in = x.getShape().getShape();
        long[] out = new long[outRank];
        int next = 0;
        int k = 0;
        for (int i = 0; i < outRank; i++) {
            if (k < sorted.length && sorted[k] == i) {
                out[i] = 1;
                k++;
            } else {
                out[i] = in[next++];
            }
        }
        return List.of(x.reshape(out));
    }
}
