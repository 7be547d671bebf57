package io.candor.interop.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.candor.interop.CandorException;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxReaderTest {
    @TempDir
    Path dir;

    /** x → Gemm(W, b) → Relu → Softmax → y: three nodes in a chain, so any order but one is wrong. */
    private static ModelProto chain() {
        GraphBuilder g = new GraphBuilder("chain", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2);
        String w = g.initializer("W", HostTensor.ofFloats(new long[] {2, 2}, 1, -1, 2, 0.5f));
        String b = g.initializer("b", HostTensor.ofFloats(new long[] {2}, 0.5f, -1));
        String gemm = g.node("Gemm", "g", new String[] {x, w, b}, "transB", 1L);
        String relu = g.node("Relu", "r", new String[] {gemm});
        g.node("Softmax", "y", new String[] {relu}, "axis", 1L);
        g.output("y", DataType.FLOAT32, -1, 2);
        return g.build();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static String failure(Path file) {
        return assertThrows(CandorException.class, () -> OnnxReader.read(file)).getMessage();
    }

    @Test
    void readsAValidFile() throws IOException {
        OnnxModel model = OnnxReader.read(write("chain.onnx", chain().toByteArray()));
        assertEquals(13, model.opset());
        assertEquals(List.of("x"), model.graph().inputs().stream().map(ValueInfo::name).toList());
        assertEquals(List.of("W", "b"), List.copyOf(model.graph().initializers().keySet()));
        assertTrue(model.label().endsWith("chain.onnx"), model.label());
    }

    @Test
    void aMissingFileIsNamed() {
        Path absent = dir.resolve("absent.onnx");
        String message = failure(absent);
        assertTrue(message.contains(absent.toString()) && message.contains("does not exist"), message);
    }

    @Test
    void aTextFileIsNotAModel() throws IOException {
        Path text = write("notes.onnx", "these are notes, not a model\n".getBytes());
        String message = failure(text);
        assertTrue(message.contains(text.toString()) && message.contains("not"), message);
    }

    @Test
    void aTruncatedFileIsNamedAsSuch() throws IOException {
        byte[] bytes = chain().toByteArray();
        Path cut = write("cut.onnx", Arrays.copyOf(bytes, bytes.length / 2));
        String message = failure(cut);
        assertTrue(message.contains(cut.toString()) && message.contains("truncated"), message);
    }

    @Test
    void anEmptyFileIsNotAModel() throws IOException {
        Path empty = write("empty.onnx", new byte[0]);
        String message = failure(empty);
        assertTrue(message.contains(empty.toString()) && message.contains("not an ONNX model"), message);
    }

    @Test
    void aNodeReadingAMissingInitializerIsNamed() throws IOException {
        ModelProto proto = chain();
        GraphProto.Builder graph = proto.getGraph().toBuilder();
        int w = graph.getInitializerList().stream().map(t -> t.getName()).toList().indexOf("W");
        graph.removeInitializer(w);
        Path file = write("no-weight.onnx", proto.toBuilder().setGraph(graph).build().toByteArray());
        String message = failure(file);
        assertTrue(message.contains(file.toString()) && message.contains("Gemm") && message.contains("'W'")
                && message.contains("missing initializer"), message);
    }

    @Test
    void aCycleIsRefused() throws IOException {
        ModelProto proto = chain();
        GraphProto.Builder graph = proto.getGraph().toBuilder();
        // The Gemm now reads the Relu's output instead of x: g → r → g.
        NodeProto gemm = graph.getNode(0);
        graph.setNode(0, gemm.toBuilder().setInput(0, "r"));
        Path file = write("cycle.onnx", proto.toBuilder().setGraph(graph).build().toByteArray());
        String message = failure(file);
        assertTrue(message.contains(file.toString()) && message.contains("cycle"), message);
    }

    @Test
    void nodesComeBackInTopologicalOrderWhenTheFileListsThemReversed() throws IOException {
        ModelProto proto = chain();
        List<NodeProto> nodes = new ArrayList<>(proto.getGraph().getNodeList());
        Collections.reverse(nodes);
        GraphProto reversed = proto.getGraph().toBuilder().clearNode().addAllNode(nodes).build();
        assertEquals("Softmax", reversed.getNode(0).getOpType(), "the file really lists them out of order");

        OnnxModel model = OnnxReader.read(write("reversed.onnx", proto.toBuilder().setGraph(reversed).build().toByteArray()));
        List<Node> sorted = model.graph().nodes();
        assertEquals(List.of("Gemm", "Relu", "Softmax"), sorted.stream().map(Node::opType).toList());
        assertEquals(List.of("g", "r", "y"), sorted.stream().map(n -> n.output(0)).toList());
        assertEquals("Relu", model.graph().producer("r").opType());
    }
}
