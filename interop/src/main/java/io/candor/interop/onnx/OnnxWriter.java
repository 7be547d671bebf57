package io.candor.interop.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.tensor.HostTensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** Writes models back out, e.g. with the weights that fine-tuning produced; everything else is kept. */
public final class OnnxWriter {
    private OnnxWriter() {
    }

    /** A copy of the model with the named initializers replaced (same type and shape required). */
    public static ModelProto withInitializers(OnnxModel model, Map<String, HostTensor> values) {
        Map<String, HostTensor> pending = new HashMap<>(values);
        GraphProto.Builder graph = model.proto().getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto old = graph.getInitializer(i);
            HostTensor replacement = pending.remove(old.getName());
            if (replacement == null) {
                continue;
            }
            long[] oldShape = old.getDimsList().stream().mapToLong(Long::longValue).toArray();
            if (!Arrays.equals(oldShape, replacement.shape()) || old.getDataType() != replacement.type().onnxCode()) {
                throw new CandorException("initializer '" + old.getName() + "' is " + Arrays.toString(oldShape)
                        + " of ONNX type " + old.getDataType() + "; the new value is " + Arrays.toString(replacement.shape())
                        + " " + replacement.type());
            }
            graph.setInitializer(i, TensorProtos.toProto(old.getName(), replacement));
        }
        if (!pending.isEmpty()) {
            throw new CandorException(model.label() + " has no initializers named " + pending.keySet());
        }
        return model.proto().toBuilder().setGraph(graph).build();
    }

    /** Writes a model atomically. */
    public static void write(ModelProto proto, Path file) {
        AtomicFiles.write(file, proto::writeTo);
    }

    public static void write(OnnxModel model, Map<String, HostTensor> newValues, Path file) {
        write(withInitializers(model, newValues), file);
    }
}
