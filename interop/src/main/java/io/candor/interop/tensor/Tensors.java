package io.candor.interop.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * NDArrays from Java data, and scalar arithmetic, whose memory libtorch owns. DJL's {@code create} wraps a direct buffer with
 * {@code from_blob} and keeps the buffer alive only through the one NDArray it returns: closing that
 * array lets the garbage collector free memory that its views, and the tensors autograd saved for a
 * backward pass, still read (seen as NaN gradients that came and went with GC timing). Copying once
 * into libtorch's memory ends that.
 */
public final class Tensors {
    private Tensors() {
    }

    /** A libtorch-owned copy of {@code data} (little-endian bytes of {@code type}) in {@code manager}. */
    public static NDArray owned(NDManager manager, ByteBuffer data, long[] shape, DataType type) {
        ByteBuffer direct = ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        direct.put(data.duplicate()).flip();
        try (NDArray wrapped = manager.create(direct, new Shape(shape), type)) {
            NDArray copy = wrapped.duplicate();
            copy.attach(manager);
            return copy;
        }
    }

    /**
     * a * v. DJL's {@code a.mul(v)} wraps v in a scalar NDArray over a direct buffer and closes it at
     * once; when a is tracked by autograd, the backward pass multiplies by that saved scalar, read from
     * memory the garbage collector may have freed and reused by then (gradients scaled by garbage, or
     * NaN). Here v lives in libtorch's memory, which autograd keeps alive.
     */
    public static NDArray times(NDArray a, float v) {
        try (NDArray s = a.getManager().full(new Shape(), v, a.getDataType())) {
            return a.mul(s);
        }
    }

    /** a / v, with v in libtorch's memory (see {@link #times}). */
    public static NDArray over(NDArray a, float v) {
        try (NDArray s = a.getManager().full(new Shape(), v, a.getDataType())) {
            return a.div(s);
        }
    }
}
