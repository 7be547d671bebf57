package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.function.LongBinaryOperator;

/**
 * Where each pooling window's maximum lies, as max pooling with indices would say and DJL cannot: the
 * window's elements are scanned in row-major order as strided views of the plane, and a later element
 * replaces the best only when strictly greater, so ties keep the first, as PyTorch does. No gradient:
 * the position is piecewise constant.
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
        NDArray best = null;
        NDArray found = null;
        for (long p = 0; p < kernel[0]; p++) {
            for (long q = 0; q < kernel[1]; q++) {
                NDArray element = plane.get(new NDIndex(":, :, {}:{}:{}, {}:{}:{}", p, p + (oh - 1) * strides[0] + 1,
                        strides[0], q, q + (ow - 1) * strides[1] + 1, strides[1]));
                NDArray here = plane.getManager().full(element.getShape(), code.applyAsLong(p, q), DataType.INT64);
                if (best == null) {
                    best = element;
                    found = here;
                } else {
                    NDArray greater = element.gt(best);
                    best = NDArrays.where(greater, element, best);
                    found = NDArrays.where(greater, here, found);
                }
            }
        }
        return found;
    }
}
