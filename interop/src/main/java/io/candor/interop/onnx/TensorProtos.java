package io.candor.interop.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.candor.interop.CandorException;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Conversions between ONNX {@code TensorProto}s and {@link HostTensor}s. */
public final class TensorProtos {
    private TensorProtos() {
    }

    /**
     * Reads a tensor stored inline, either as {@code raw_data} (little-endian) or in the typed repeated
     * fields. {@code where} names the tensor in error messages.
     */
    public static HostTensor toHost(TensorProto proto, String where) {
        if (proto.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new CandorException(where + " keeps its data in an external file, which this reader"
                    + " does not resolve here");
        }
        DataType type;
        try {
            type = DataType.fromOnnx(proto.getDataType());
        } catch (CandorException e) {
            throw new CandorException(where + ": " + e.getMessage(), e);
        }
        long[] shape = proto.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = HostTensor.elementCount(shape);
        if (!proto.getRawData().isEmpty() || count == 0) {
            ByteBuffer raw = proto.getRawData().asReadOnlyByteBuffer();
            if (raw.remaining() != count * type.bytes()) {
                throw new CandorException(where + " has " + raw.remaining() + " bytes of data but its shape needs "
                        + count * type.bytes() + " (truncated?)");
            }
            return new HostTensor(type, shape, raw);
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(count * type.bytes())).order(ByteOrder.LITTLE_ENDIAN);
        int available = switch (type) {
            case FLOAT32 -> proto.getFloatDataCount();
            case FLOAT64 -> proto.getDoubleDataCount();
            case INT64 -> proto.getInt64DataCount();
            default -> proto.getInt32DataCount();
        };
        if (available != count) {
            throw new CandorException(where + " has " + available + " values but its shape needs " + count);
        }
        for (int i = 0; i < count; i++) {
            switch (type) {
                case FLOAT32 -> b.putFloat(proto.getFloatData(i));
                case FLOAT64 -> b.putDouble(proto.getDoubleData(i));
                case INT64 -> b.putLong(proto.getInt64Data(i));
                case INT32 -> b.putInt(proto.getInt32Data(i));
                default -> b.put((byte) proto.getInt32Data(i));
            }
        }
        b.flip();
        return new HostTensor(type, shape, b);
    }

    /** Writes {@code tensor} as a named {@code TensorProto} with {@code raw_data}. */
    public static TensorProto toProto(String name, HostTensor tensor) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(tensor.type().onnxCode());
        for (long d : tensor.shape()) {
            b.addDims(d);
        }
        return b.setRawData(ByteString.copyFrom(tensor.data())).build();
    }
}
