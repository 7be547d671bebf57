package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.List;
import java.util.stream.IntStream;

/** ONNX Squeeze; axes are an attribute before opset 13 and an input from 13 on; none means all 1s. */
public final class Squeeze implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        long[] shape = x.getShape().getShape();
        long[] axes = call.axes("axes", 1, 13);
        int[] resolved = axes == null
                ? IntStream.range(0, shape.length).filter(i -> shape[i] == 1).toArray()
                : java.util.Arrays.stream(axes).mapToInt(a -> call.axis(a, shape.length)).toArray();
        for (int a : resolved) {
            if (shape[a] != 1) {
                throw call.error("cannot squeeze axis " + a + " of size " + shape[a]);
            }
        }
        return List.of(resolved.length == 0 ? Activations.alias(x) : x.squeeze(resolved));
    }
}
