package io.candor.interop.exec.vjp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.candor.interop.exec.ops.WindowMax;
import io.candor.interop.onnx.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * 2-D MaxPool whose windows tile the plane (kernel = stride, no padding; the MNIST nets' and VGG's
 * pools): each window's gradient goes to its maximum, the first one in row-major order on ties as in
 * PyTorch ({@link WindowMax}), and the gradient is laid back out element by element.
 */
final class MaxPoolVjp implements VjpRule {
    @Override
    public NDArray apply(Node node, List<NDArray> inputs, NDArray output, NDArray gradient, boolean training) {
        NDArray x = inputs.get(0);
        long[] xs = x.getShape().getShape();
        long[] kernel = node.attributes().getInts("kernel_shape");
        long[] strides = node.attributes().getInts("strides", new long[] {1, 1});
        long[] pads = node.attributes().getInts("pads", new long[4]);
        if (xs.length != 4 || !Arrays.equals(kernel, strides) || Arrays.stream(pads).anyMatch(p -> p != 0)
                || xs[2] % kernel[0] != 0 || xs[3] % kernel[1] != 0) {
            throw VjpRule.unsupported(node, "max pooling whose windows overlap, are padded or do not tile the input");
        }
        // which[i, j] = the row-major index within its window of the window's (first) maximum.
        NDArray which = WindowMax.first(x, kernel, strides, xs[2] / kernel[0], xs[3] / kernel[1], (p, q) -> p * kernel[1] + q);
        List<NDArray> rows = new ArrayList<>();
        for (long p = 0; p < kernel[0]; p++) {
            List<NDArray> row = new ArrayList<>();
            for (long q = 0; q < kernel[1]; q++) {
                row.add(gradient.mul(which.eq(p * kernel[1] + q).toType(gradient.getDataType(), false)));
            }
            rows.add(NDArrays.stack(new ai.djl.ndarray.NDList(row), 4)); // [N, C, oh, ow, kw]
        }
        // [N, C, oh, kh, ow, kw] is the input's layout.
        return NDArrays.stack(new ai.djl.ndarray.NDList(rows), 3).reshape(xs[0], xs[1], xs[2], xs[3]);
    }
}
