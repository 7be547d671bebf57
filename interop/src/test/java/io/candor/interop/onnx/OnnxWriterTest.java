package io.candor.interop.onnx;

import static io.candor.interop.testing.Arrays2.assertClose;
import static io.candor.interop.testing.Arrays2.random;
import static io.candor.interop.testing.Arrays2.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.ort.OrtModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxWriterTest {
    @TempDir
    Path dir;

    private static final HostTensor X = HostTensor.ofFloats(new long[] {3, 4}, random(41, 12));

    /** x [-1, 4] → Gemm(W1 [6, 4], b1) → Relu → Gemm(W2 [2, 6], b2) → y, with metadata to keep. */
    private static ModelProto mlp() {
        GraphBuilder g = new GraphBuilder("mlp", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 4);
        String h = g.node("Gemm", "h", new String[] {x,
            g.initializer("W1", HostTensor.ofFloats(new long[] {6, 4}, random(42, 24))),
            g.initializer("b1", HostTensor.ofFloats(new long[] {6}, random(43, 6)))}, "transB", 1L);
        String r = g.node("Relu", "r", new String[] {h});
        g.node("Gemm", "y", new String[] {r,
            g.initializer("W2", HostTensor.ofFloats(new long[] {2, 6}, random(44, 12))),
            g.initializer("b2", HostTensor.ofFloats(new long[] {2}, random(45, 2)))}, "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 2);
        ModelProto proto = g.build();
        return proto.toBuilder().setDocString("trained by hand").setModelVersion(7)
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("labels").setValue("cat,dog")).build();
    }

    private Path saved(ModelProto proto, String name) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, proto.toByteArray());
        return file;
    }

    private static float[] viaOrt(OnnxModel model) {
        try (OrtModel ort = OrtModel.open(model)) {
            return ort.run(Map.of("x", X)).get("y").toFloatArray();
        }
    }

    @Test
    void exportedWeightsGiveTheExecutorsOutputInOnnxRuntime() throws IOException {
        OnnxModel model = OnnxReader.read(saved(mlp(), "mlp.onnx"));
        HostTensor newW2 = HostTensor.ofFloats(new long[] {2, 6}, random(46, 12));
        Path out = dir.resolve("nested/deeper/tuned.onnx");
        float[] expected;
        try (Executor ex = Executor.of(model); NDManager m = Engines.newManager()) {
            // As after fine-tuning: the executor's weights changed, and all of them are exported.
            ex.weight("W2").set(newW2.toFloatArray());
            expected = ex.forward(m, X.toNDArray(m)).toFloatArray();
            OnnxWriter.write(model, ex.initializerValues(), out);
        }

        OnnxModel back = OnnxReader.read(out);
        assertArrayEquals(newW2.toFloatArray(), back.graph().initializers().get("W2").toFloatArray());
        for (String kept : List.of("W1", "b1", "b2")) {
            assertEquals(model.graph().initializers().get(kept).data(), back.graph().initializers().get(kept).data(), kept);
        }
        float[] exported = viaOrt(back);
        assertClose(expected, exported, 1e-5, "ORT on the exported model vs the executor with the new weights");
        assertTrue(relativeError(viaOrt(model), exported) > 1e-2, "the new weights must change the output");
    }

    @Test
    void everythingButTheReplacedValuesIsKept() throws IOException {
        OnnxModel model = OnnxReader.read(saved(mlp(), "mlp.onnx"));
        HostTensor newB1 = HostTensor.ofFloats(new long[] {6}, 1, 2, 3, 4, 5, 6);
        ModelProto proto = OnnxWriter.withInitializers(model, Map.of("b1", newB1));

        ModelProto original = model.proto();
        assertEquals(original.getGraph().getNodeList(), proto.getGraph().getNodeList());
        assertEquals(original.getGraph().getInputList(), proto.getGraph().getInputList());
        assertEquals(original.getGraph().getOutputList(), proto.getGraph().getOutputList());
        assertEquals(original.getOpsetImportList(), proto.getOpsetImportList());
        assertEquals(original.getMetadataPropsList(), proto.getMetadataPropsList());
        assertEquals(original.getIrVersion(), proto.getIrVersion());
        assertEquals("trained by hand", proto.getDocString());
        assertEquals(7, proto.getModelVersion());
        assertEquals(List.of("W1", "b1", "W2", "b2"),
                proto.getGraph().getInitializerList().stream().map(TensorProto::getName).toList());
        TensorProto b1 = proto.getGraph().getInitializer(1);
        assertEquals(List.of(6L), b1.getDimsList());
        assertEquals(DataType.FLOAT32.onnxCode(), b1.getDataType());
        assertArrayEquals(newB1.toFloatArray(), TensorProtos.toHost(b1, "b1").toFloatArray());
        // The input model itself is untouched: protobuf messages are immutable copies.
        assertEquals(mlp().getGraph().getInitializer(1), original.getGraph().getInitializer(1));
    }

    @Test
    void replacementsMustMatchAnInitializerByNameTypeAndShape() {
        OnnxModel model = OnnxReader.fromProto(mlp(), null);
        CandorException shape = assertThrows(CandorException.class, () -> OnnxWriter.withInitializers(model,
                Map.of("W2", HostTensor.ofFloats(new long[] {6, 2}, random(1, 12)))));
        assertTrue(shape.getMessage().contains("'W2'") && shape.getMessage().contains("[2, 6]")
                && shape.getMessage().contains("[6, 2]"), shape.getMessage());

        CandorException type = assertThrows(CandorException.class, () -> OnnxWriter.withInitializers(model,
                Map.of("b2", HostTensor.ofLongs(new long[] {2}, 1, 2))));
        assertTrue(type.getMessage().contains("'b2'") && type.getMessage().contains("INT64"), type.getMessage());

        CandorException unknown = assertThrows(CandorException.class, () -> OnnxWriter.withInitializers(model,
                Map.of("W1", HostTensor.zeros(DataType.FLOAT32, new long[] {6, 4}),
                        "W9", HostTensor.ofFloats(new long[] {1}, 1))));
        assertTrue(unknown.getMessage().contains("W9") && unknown.getMessage().contains("in-memory model"),
                unknown.getMessage());

        // A tensor that exists but is not an initializer (a node output) cannot be replaced either.
        assertThrows(CandorException.class, () -> OnnxWriter.withInitializers(model,
                Map.of("h", HostTensor.zeros(DataType.FLOAT32, new long[] {1, 6}))));
    }

    @Test
    void nonFiniteWeightsAreNeverWritten() throws IOException {
        Path file = saved(mlp(), "kept.onnx");
        byte[] before = Files.readAllBytes(file);
        OnnxModel model = OnnxReader.read(file);
        HostTensor nan = HostTensor.ofFloats(new long[] {2}, 1, Float.NaN);
        CandorException e = assertThrows(CandorException.class, () -> OnnxWriter.write(model, Map.of("b2", nan), file));
        assertTrue(e.getMessage().contains("'b2' holds NaN"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file), "the old file is intact");
        assertEquals(List.of(1L), nan.nonFiniteRows());
        HostTensor rows = HostTensor.ofFloats(new long[] {4, 2}, 0, 1, Float.POSITIVE_INFINITY, 2, 3, 4, 5, Float.NaN);
        assertEquals(List.of(1L, 3L), rows.nonFiniteRows());
        assertTrue(HostTensor.ofFloats(new long[] {2, 2}, 1, 2, 3, 4).nonFiniteRows().isEmpty());
    }

    @Test
    void externalDataIsWrittenInlineSoTheCopyStandsAlone() throws IOException {
        // Move W1's bytes to a side file, as exporters do for big models.
        ModelProto proto = mlp();
        TensorProto w1 = proto.getGraph().getInitializer(0);
        Files.write(dir.resolve("weights.bin"), w1.getRawData().toByteArray());
        TensorProto external = w1.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"))
                .build();
        ModelProto split = proto.toBuilder().setGraph(proto.getGraph().toBuilder().setInitializer(0, external)).build();
        OnnxModel model = OnnxReader.read(saved(split, "split.onnx"));

        Path out = dir.resolve("elsewhere/copy.onnx");
        OnnxWriter.write(model, Map.of(), out);
        OnnxModel back = OnnxReader.read(out);
        assertEquals(TensorProto.DataLocation.DEFAULT, back.proto().getGraph().getInitializer(0).getDataLocation());
        assertEquals(model.graph().initializers().get("W1").data(), back.graph().initializers().get("W1").data());
        assertClose(viaOrt(OnnxReader.fromProto(mlp(), null)), viaOrt(back), 1e-6, "copy of the split model");
    }

    @Test
    void aFailedWriteLeavesTheOldFileIntactAndNoTemporaryFiles() throws IOException {
        OnnxModel model = OnnxReader.fromProto(mlp(), null);
        Path target = dir.resolve("model.onnx");
        OnnxWriter.write(model.proto(), target);
        byte[] before = Files.readAllBytes(target);

        // The body fails half-way through, as a full disk would.
        assertThrows(CandorException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[] {1, 2, 3});
            throw new IOException("disk full");
        }));
        assertArrayEquals(before, Files.readAllBytes(target));

        // The target's parent is a file, so nothing can be created there.
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "a file, not a folder");
        Path impossible = blocker.resolve("model.onnx");
        CandorException e = assertThrows(CandorException.class, () -> OnnxWriter.write(model.proto(), impossible));
        assertTrue(e.getMessage().contains(impossible.toString()), e.getMessage());
        assertEquals("a file, not a folder", Files.readString(blocker));

        // The target is a non-empty folder, which the final rename cannot replace.
        Path folder = Files.createDirectories(dir.resolve("taken.onnx"));
        Files.writeString(folder.resolve("keep.txt"), "kept");
        assertThrows(CandorException.class, () -> OnnxWriter.write(model.proto(), folder));
        assertEquals("kept", Files.readString(folder.resolve("keep.txt")));

        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("blocker", "model.onnx", "taken.onnx"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files left");
        }
        assertEquals(model.proto(), OnnxReader.read(target).proto());
    }
}
