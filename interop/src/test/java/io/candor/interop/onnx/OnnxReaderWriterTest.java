package io.candor.interop.onnx;

import static io.candor.interop.testing.Arrays2.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.djl.ndarray.NDManager;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.ort.OrtModel;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxReaderWriterTest {
    @TempDir
    Path dir;

    private static final HostTensor X = HostTensor.ofFloats(new long[] {2, 2}, 1, 2, -1, 3);

    @Test
    void exportWithNewWeightsRoundTripsThroughOnnxRuntime() {
        OnnxModel model = TinyModels.gemmRelu();
        HostTensor newW = HostTensor.ofFloats(new long[] {2, 2}, 3, 1, -1, 2);
        Path file = dir.resolve("sub/tuned.onnx");
        OnnxWriter.write(model, Map.of("w", newW), file);
        OnnxModel back = OnnxReader.read(file);
        assertEquals(model.graph().nodes().size(), back.graph().nodes().size());
        float[] viaOrt;
        try (OrtModel ort = OrtModel.open(back)) {
            viaOrt = ort.run(Map.of("x", X)).get("y").toFloatArray();
        }
        // relu(x W'^T + b): [3+2+0.5, -1+4-1] = [5.5, 2]; [-3+3+0.5, 1+6-1] = [0.5, 6]
        assertClose(new float[] {5.5f, 2, 0.5f, 6}, viaOrt, 1e-6, "ort on the exported model");
        try (Executor ex = Executor.of(model); NDManager m = Engines.newManager()) {
            ex.weight("w").set(newW.toFloatArray());
            assertClose(viaOrt, ex.forward(m, X.toNDArray(m)).toFloatArray(), 1e-6, "executor with the new weights");
            assertEquals(newW.data(), ex.initializerValues().get("w").data());
        }
    }

    @Test
    void replacementsMustMatchByNameAndShape() {
        OnnxModel model = TinyModels.gemmRelu();
        assertThrows(CandorException.class, () -> OnnxWriter.withInitializers(model,
                Map.of("w", HostTensor.ofFloats(new long[] {4}, 1, 2, 3, 4))));
        CandorException unknown = assertThrows(CandorException.class, () -> OnnxWriter.withInitializers(model,
                Map.of("nope", HostTensor.ofFloats(new long[] {1}, 1))));
        assertTrue(unknown.getMessage().contains("nope"), unknown.getMessage());
    }

    @Test
    void brokenFilesAreNamed() throws Exception {
        Path text = dir.resolve("text.onnx");
        Files.writeString(text, "not a model at all");
        CandorException notOnnx = assertThrows(CandorException.class, () -> OnnxReader.read(text));
        assertTrue(notOnnx.getMessage().contains("text.onnx"), notOnnx.getMessage());

        byte[] bytes = TinyModels.gemmRelu().proto().toByteArray();
        Path cut = dir.resolve("cut.onnx");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        CandorException truncated = assertThrows(CandorException.class, () -> OnnxReader.read(cut));
        assertTrue(truncated.getMessage().contains("cut.onnx") && truncated.getMessage().contains("truncated"),
                truncated.getMessage());

        ModelProto proto = TinyModels.gemmRelu().proto();
        ModelProto noWeight = proto.toBuilder().setGraph(proto.getGraph().toBuilder().removeInitializer(0)).build();
        Path missing = dir.resolve("missing.onnx");
        Files.write(missing, noWeight.toByteArray());
        CandorException init = assertThrows(CandorException.class, () -> OnnxReader.read(missing));
        assertTrue(init.getMessage().contains("missing.onnx") && init.getMessage().contains("'w'")
                && init.getMessage().contains("missing initializer"), init.getMessage());

        assertThrows(CandorException.class, () -> OnnxReader.read(dir.resolve("absent.onnx")));
    }

    @Test
    void nodesComeBackInTopologicalOrder() {
        ModelProto proto = TinyModels.gemmRelu().proto();
        var graph = proto.getGraph().toBuilder();
        var nodes = new java.util.ArrayList<>(graph.getNodeList());
        java.util.Collections.reverse(nodes);
        graph.clearNode().addAllNode(nodes);
        OnnxModel reversed = OnnxReader.fromProto(proto.toBuilder().setGraph(graph).build(), null);
        assertEquals(List.of("Gemm", "Relu"), reversed.graph().nodes().stream().map(Node::opType).toList());
    }
}
