package io.candor.interop.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes models back out, e.g. with the weights that fine-tuning produced. Only initializer values
 * change; nodes, operator sets, metadata, inputs and outputs are kept as they were read.
 */
public final class OnnxWriter {
    private OnnxWriter() {
    }

    /**
     * A copy of {@code model} whose initializers named in {@code values} hold the new values. Each new
     * value must have the element type and shape of the initializer it replaces; a name that is not an
     * initializer is an error. Initializers that kept their data in an external file are written inline
     * (from the values read at load time), so the result does not depend on files next to the source.
     */
    public static ModelProto withInitializers(OnnxModel model, Map<String, HostTensor> values) {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(model.graph().initializers().keySet());
        if (!unknown.isEmpty()) {
            throw new CandorException(model.label() + " has no initializer named " + unknown
                    + "; its initializers include " + model.graph().initializers().keySet().stream().limit(12).toList());
        }
        GraphProto.Builder graph = model.proto().getGraph().toBuilder();
        Set<String> replaced = new HashSet<>();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto old = graph.getInitializer(i);
            HostTensor value = values.get(old.getName());
            if (value == null && old.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                value = model.graph().initializers().get(old.getName());
            } else if (value != null) {
                requireSameKind(model, old, value);
                requireFinite(model, old.getName(), value);
                replaced.add(old.getName());
            }
            if (value != null) {
                graph.setInitializer(i, TensorProtos.toProto(old.getName(), value).toBuilder()
                        .setDocString(old.getDocString()).build());
            }
        }
        if (replaced.size() != values.size()) {
            // Graph.initializers() knows the name but the proto does not: the two disagree.
            Set<String> missing = new TreeSet<>(values.keySet());
            missing.removeAll(replaced);
            throw new CandorException(model.label() + ": initializers " + missing + " are not in its protobuf");
        }
        return model.proto().toBuilder().setGraph(graph).build();
    }

    /** A weight that is NaN or infinite would make every output of the written model so. */
    private static void requireFinite(OnnxModel model, String name, HostTensor value) {
        if (!value.nonFiniteRows().isEmpty()) {
            throw new CandorException(model.label() + ": the new value of initializer '" + name
                    + "' holds NaN or infinite numbers; the model was not written");
        }
    }

    /**
     * Writes {@code proto} to {@code file}, creating missing parent folders. The write is atomic: a
     * reader sees the old file or the complete new one, and a failed write leaves the old file intact.
     */
    public static void write(ModelProto proto, Path file) {
        AtomicFiles.write(file, proto::writeTo);
    }

    /** Writes {@code model} with the initializers in {@code newValues} replaced; see {@link #withInitializers}. */
    public static void write(OnnxModel model, Map<String, HostTensor> newValues, Path file) {
        write(withInitializers(model, newValues), file);
    }

    private static void requireSameKind(OnnxModel model, TensorProto old, HostTensor value) {
        long[] oldShape = old.getDimsList().stream().mapToLong(Long::longValue).toArray();
        boolean sameType = old.getDataType() == value.type().onnxCode();
        if (!sameType || !Arrays.equals(oldShape, value.shape())) {
            throw new CandorException(model.label() + ": initializer '" + old.getName() + "' is "
                    + typeName(old.getDataType()) + " " + Arrays.toString(oldShape) + " but the new value is "
                    + value.type() + " " + Arrays.toString(value.shape()));
        }
    }

    private static String typeName(int onnxCode) {
        for (DataType t : DataType.values()) {
            if (t.onnxCode() == onnxCode) {
                return t.name();
            }
        }
        return "ONNX type " + onnxCode;
    }
}
