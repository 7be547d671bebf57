package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.function.LongBinaryOperator;

/**
 * Where each pooling window's maximum lies, as max pooling with indices would say and DJL cannot: the
 * window's elements, taken in row-major order as strided views of the plane, are stacked on a last
 * axis, and argmax over it picks the first maximum, as PyTorch's pooling does on ties. No gradient:
 * the position is piecewise constant. One stack and one argmax replace a comparison and two selections
 * per window element.
 */
public final class WindowMax {
    private WindowMax() {
    }

    /**
     * @param x [N, C, H, W], padded so that every window lies inside
     * @param code the number to record for the window element at row {@code p}, column {@code q}
     * @return per window, the code of its first maximum, int64 [N, C, oh, ow]
     */
    public static NDArray first(NDArray x, long[] kernel, long[] strides, long oh, long ow, LongBinaryOperator code) {
        NDArray plane = x.stopGradient();
        NDList elements = new NDList();
        long[] codes = new long[Math.toIntExact(kernel[0] * kernel[1])];
        for (long p = 0; p < kernel[0]; p++) {
            for (long q = 0; q < kernel[1]; q++) {
                elements.add(plane.get(new NDIndex(":, :, {}:{}:{}, {}:{}:{}", p, p + (oh - 1) * strides[0] + 1,
                        strides[0], q, q + (ow - 1) * strides[1] + 1, strides[1])));
                codes[(int) (p * kernel[1] + q)] = code.applyAsLong(p, q);
            }
        }
        NDArray which = NDArrays.stack(elements, 4).argMax(4);
        NDArray table = plane.getManager().create(codes, new Shape(codes.length));
        return table.get(which.flatten()).reshape(which.getShape());
    }
}
