package io.candor.interop.tensor;

import io.candor.interop.CandorException;

/**
 * The element types Candor moves between ONNX, NumPy files, ONNX Runtime and DJL. The codes are
 * ONNX's {@code TensorProto.DataType} numbers.
 */
public enum DataType {
    FLOAT32(1, 4, "<f4"),
    UINT8(2, 1, "|u1"),
    INT8(3, 1, "|i1"),
    INT32(6, 4, "<i4"),
    INT64(7, 8, "<i8"),
    BOOL(9, 1, "|b1"),
    FLOAT64(11, 8, "<f8");

    private final int onnxCode;
    private final int bytes;
    private final String npyDescr;

    DataType(int onnxCode, int bytes, String npyDescr) {
        this.onnxCode = onnxCode;
        this.bytes = bytes;
        this.npyDescr = npyDescr;
    }

    public int onnxCode() {
        return onnxCode;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** The NumPy {@code descr} string of this type, little-endian. */
    public String npyDescr() {
        return npyDescr;
    }

    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT64;
    }

    public static DataType fromOnnx(int code) {
        for (DataType t : values()) {
            if (t.onnxCode == code) {
                return t;
            }
        }
        throw new CandorException("ONNX element type " + code + " (" + onnxName(code)
                + ") is not supported; supported: float, double, int64, int32, int8, uint8, bool");
    }

    public ai.djl.ndarray.types.DataType toDjl() {
        return switch (this) {
            case FLOAT32 -> ai.djl.ndarray.types.DataType.FLOAT32;
            case FLOAT64 -> ai.djl.ndarray.types.DataType.FLOAT64;
            case INT64 -> ai.djl.ndarray.types.DataType.INT64;
            case INT32 -> ai.djl.ndarray.types.DataType.INT32;
            case INT8 -> ai.djl.ndarray.types.DataType.INT8;
            case UINT8 -> ai.djl.ndarray.types.DataType.UINT8;
            case BOOL -> ai.djl.ndarray.types.DataType.BOOLEAN;
        };
    }

    public static DataType fromDjl(ai.djl.ndarray.types.DataType type) {
        return switch (type) {
            case FLOAT32 -> FLOAT32;
            case FLOAT64 -> FLOAT64;
            case INT64 -> INT64;
            case INT32 -> INT32;
            case INT8 -> INT8;
            case UINT8 -> UINT8;
            case BOOLEAN -> BOOL;
            default -> throw new CandorException("tensor type " + type + " is not supported");
        };
    }

    private static String onnxName(int code) {
        return switch (code) {
            case 0 -> "undefined";
            case 4 -> "uint16";
            case 5 -> "int16";
            case 8 -> "string";
            case 10 -> "float16";
            case 12 -> "uint32";
            case 13 -> "uint64";
            case 14 -> "complex64";
            case 15 -> "complex128";
            case 16 -> "bfloat16";
            default -> "unknown";
        };
    }
}
