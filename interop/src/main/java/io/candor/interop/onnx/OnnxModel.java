package io.candor.interop.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.nio.file.Path;

/**
 * A loaded ONNX model: the parsed graph plus the original protobuf, which export rewrites.
 *
 * @param source the file it came from, or {@code null} for a model built in memory
 * @param opset the version of the default ONNX operator set
 */
public record OnnxModel(Path source, ModelProto proto, Graph graph, long opset) {

    /** What error messages call this model. */
    public String label() {
        return source == null ? "in-memory model" : source.toString();
    }
}
