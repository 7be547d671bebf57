package io.candor.interop.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.CandorException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A dense tensor in Java memory: element type, shape and little-endian bytes in C order. It is the
 * common currency between ONNX initializers, {@code .npy} files, ONNX Runtime and DJL, and it needs no
 * native engine, so ONNX Runtime paths never load libtorch.
 */
public final class HostTensor {
    private final DataType type;
    private final long[] shape;
    private final ByteBuffer data;

    /** Wraps {@code data} (read from its position to its limit); the bytes are little-endian, C order. */
    public HostTensor(DataType type, long[] shape, ByteBuffer data) {
        this.type = type;
        this.shape = shape.clone();
        long expected = elementCount(shape) * type.bytes();
        if (data.remaining() != expected) {
            throw new CandorException("tensor of shape " + Arrays.toString(shape) + " and type " + type
                    + " needs " + expected + " bytes, got " + data.remaining());
        }
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    public static HostTensor ofFloats(long[] shape, float... values) {
        ByteBuffer b = allocate(values.length * 4L);
        b.asFloatBuffer().put(values);
        return new HostTensor(DataType.FLOAT32, shape, b);
    }

    public static HostTensor ofLongs(long[] shape, long... values) {
        ByteBuffer b = allocate(values.length * 8L);
        b.asLongBuffer().put(values);
        return new HostTensor(DataType.INT64, shape, b);
    }

    public static HostTensor zeros(DataType type, long[] shape) {
        return new HostTensor(type, shape, allocate(elementCount(shape) * type.bytes()));
    }

    /** The rows {@code rows} (indices along the first axis, in that order, repeats allowed). */
    public HostTensor rows(int... rows) {
        long n = shape[0];
        int rowBytes = Math.toIntExact(n == 0 ? 0 : size() / n * type.bytes());
        ByteBuffer src = data();
        ByteBuffer dst = allocate((long) rowBytes * rows.length);
        for (int r : rows) {
            if (r < 0 || r >= n) {
                throw new CandorException("row " + r + " asked of " + n + " samples");
            }
            dst.put(src.slice(r * rowBytes, rowBytes));
        }
        dst.flip();
        long[] out = shape.clone();
        out[0] = rows.length;
        return new HostTensor(type, out, dst);
    }

    /** {@code a}'s rows followed by {@code b}'s: the same type and the same shape after the first axis. */
    public static HostTensor concatRows(HostTensor a, HostTensor b) {
        if (a.type != b.type || a.rank() == 0 || b.rank() != a.rank()
                || !Arrays.equals(Arrays.copyOfRange(a.shape, 1, a.rank()), Arrays.copyOfRange(b.shape, 1, b.rank()))) {
            throw new CandorException("cannot stack rows of " + a.type + " " + Arrays.toString(a.shape) + " and " + b.type
                    + " " + Arrays.toString(b.shape));
        }
        ByteBuffer both = allocate((long) a.data.remaining() + b.data.remaining());
        both.put(a.data()).put(b.data()).flip();
        long[] shape = a.shape.clone();
        shape[0] += b.shape[0];
        return new HostTensor(a.type, shape, both);
    }

    /** Copies an NDArray to Java memory (after moving it to the CPU). */
    public static HostTensor of(NDArray array) {
        ByteBuffer bytes = array.toByteBuffer();
        ByteBuffer copy = allocate(bytes.remaining());
        copy.put(bytes.order(ByteOrder.LITTLE_ENDIAN)).flip();
        return new HostTensor(DataType.fromDjl(array.getDataType()), array.getShape().getShape(), copy);
    }

    /**
     * Creates an NDArray owned by {@code manager} holding a copy of this tensor in libtorch's own memory.
     * (DJL wraps a direct buffer without copying and lets the garbage collector free it once that one
     * NDArray is closed, while views of it, and tensors autograd saved for the backward pass, may still
     * read it: they would read freed memory.)
     */
    public NDArray toNDArray(NDManager manager) {
        return Tensors.owned(manager, data, shape, type.toDjl());
    }

    public DataType type() {
        return type;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long size() {
        return elementCount(shape);
    }

    /** A read-only view of the bytes, little-endian, positioned at the first element. */
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The elements as floats, converting from any numeric type. */
    public float[] toFloatArray() {
        int n = Math.toIntExact(size());
        float[] out = new float[n];
        ByteBuffer b = data();
        for (int i = 0; i < n; i++) {
            out[i] = switch (type) {
                case FLOAT32 -> b.getFloat(i * 4);
                case FLOAT64 -> (float) b.getDouble(i * 8);
                case INT64 -> b.getLong(i * 8);
                case INT32 -> b.getInt(i * 4);
                case INT8 -> b.get(i);
                case UINT8, BOOL -> b.get(i) & 0xff;
            };
        }
        return out;
    }

    /** The elements as longs; only for integer and boolean types. */
    public long[] toLongArray() {
        if (type.isFloating()) {
            throw new CandorException("expected an integer tensor, got " + type);
        }
        int n = Math.toIntExact(size());
        long[] out = new long[n];
        ByteBuffer b = data();
        for (int i = 0; i < n; i++) {
            out[i] = switch (type) {
                case INT64 -> b.getLong(i * 8);
                case INT32 -> b.getInt(i * 4);
                case INT8 -> b.get(i);
                default -> b.get(i) & 0xff;
            };
        }
        return out;
    }

    /** Fails with a message naming {@code what} when a floating-point element is NaN or infinite. */
    public HostTensor requireFinite(String what) {
        long i = nextNonFinite(0);
        if (i >= 0) {
            throw new CandorException(what + " holds " + floatingAt(i) + " at flat index " + i
                    + "; inputs must be finite numbers");
        }
        return this;
    }

    /** The flat index of the first NaN or infinity at or after {@code from}; -1 if none (or not floating). */
    private long nextNonFinite(long from) {
        if (!type.isFloating()) {
            return -1;
        }
        for (long i = from, n = size(); i < n; i++) {
            if (!Double.isFinite(floatingAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private double floatingAt(long i) {
        ByteBuffer b = data();
        return type == DataType.FLOAT32 ? b.getFloat((int) i * 4) : b.getDouble((int) i * 8);
    }

    /** Indices along the first axis (samples) whose slice holds a NaN or an infinity; none for integers. */
    public List<Long> nonFiniteRows() {
        List<Long> rows = new ArrayList<>();
        long perRow = Math.max(1, shape.length == 0 ? size() : size() / Math.max(1, shape[0]));
        for (long i = nextNonFinite(0); i >= 0; i = nextNonFinite((i / perRow + 1) * perRow)) {
            rows.add(i / perRow);
        }
        return rows;
    }

    /**
     * Fails, naming the samples, when this result holds a NaN or an infinity: Candor never writes a
     * non-finite result as if it were one.
     */
    public HostTensor requireFiniteResult(String what) {
        List<Long> rows = nonFiniteRows();
        if (!rows.isEmpty()) {
            throw new CandorException(what + " of sample" + (rows.size() > 1 ? "s " : " ")
                    + (rows.size() > 20 ? rows.subList(0, 20) + " and " + (rows.size() - 20) + " more" : rows)
                    + " are not finite (NaN or infinite), so nothing was written; check the model and the input");
        }
        return this;
    }

    public HostTensor reshape(long... newShape) {
        if (elementCount(newShape) != size()) {
            throw new CandorException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new HostTensor(type, newShape, data);
    }

    @Override
    public String toString() {
        return "HostTensor" + Arrays.toString(shape) + " " + type;
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new CandorException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static ByteBuffer allocate(long bytes) {
        return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
    }
}
