package io.candor.interop.onnx;

import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.candor.interop.tensor.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * A declared graph input or output: its name, element type and shape. A dimension is a number, or a
 * symbol such as {@code "batch"} when the exporter made it dynamic, or {@code "?"} when unknown.
 */
public record ValueInfo(String name, DataType type, List<String> dims) {

    public static ValueInfo of(ValueInfoProto proto) {
        DataType type = null;
        List<String> dims = new ArrayList<>();
        if (proto.hasType() && proto.getType().hasTensorType()) {
            var tensorType = proto.getType().getTensorType();
            type = tensorType.getElemType() == 0 ? null : DataType.fromOnnx(tensorType.getElemType());
            if (tensorType.hasShape()) {
                for (TensorShapeProto.Dimension d : tensorType.getShape().getDimList()) {
                    dims.add(d.hasDimValue() ? Long.toString(d.getDimValue())
                            : d.hasDimParam() && !d.getDimParam().isEmpty() ? d.getDimParam() : "?");
                }
            }
        }
        return new ValueInfo(proto.getName(), type, List.copyOf(dims));
    }

    /** The shape with every symbolic dimension replaced by {@code symbolic}. */
    public long[] concreteShape(long symbolic) {
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            String d = dims.get(i);
            shape[i] = d.chars().allMatch(Character::isDigit) ? Long.parseLong(d) : symbolic;
        }
        return shape;
    }

    @Override
    public String toString() {
        return name + ": " + (type == null ? "?" : type.name().toLowerCase()) + dims;
    }
}
