package io.candor.finetune.clarc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.ort.OrtModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** P-ClArC's projection as ONNX nodes, against a case worked by hand, in ONNX Runtime and Candor's executor. */
class ProjectionGraphTest {
    // v = (0.6, 0.8, 0), z = (1, 1, 1). a = (2, 3, 4): v^T (a - z) = 0.6 + 1.6 = 2.2,
    // a' = a - 2.2 v = (2 - 1.32, 3 - 1.76, 4) = (0.68, 1.24, 4).
    // b = (4, -0.5, 2): v^T (b - z) = 1.8 - 1.2 = 0.6, b' = (4 - 0.36, -0.5 - 0.48, 2) = (3.64, -0.98, 2).
    private static final float[] V = {0.6f, 0.8f, 0f};
    private static final float[] Z = {1f, 1f, 1f};
    private static final float[] INPUT = {2, 3, 4, 4, -0.5f, 2};
    private static final float[] EXPECTED = {0.68f, 1.24f, 4f, 3.64f, -0.98f, 2f};

    /** x [N, 3] -> Identity h -> Identity y: the projection goes after h, or after the input itself. */
    private static OnnxModel tiny() {
        GraphBuilder g = new GraphBuilder("tiny", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 3);
        String h = g.node("Identity", "h", new String[] {x});
        String y = g.node("Identity", "y", new String[] {h});
        g.output(y, DataType.FLOAT32, -1, 3);
        return OnnxReader.fromProto(g.build(), null);
    }

    @Test
    void projectsTheDirectionToItsArtifactFreeValueInBothRuntimes() throws Exception {
        for (String tensor : List.of("h", "x")) {
            OnnxModel projected = OnnxReader.fromProto(ProjectionGraph.insert(tiny(), tensor, new long[] {3}, V, Z), null);
            HostTensor input = HostTensor.ofFloats(new long[] {2, 3}, INPUT);
            HostTensor ort;
            try (OrtModel session = OrtModel.open(projected)) {
                ort = session.run(Map.of("x", input), List.of("y")).get("y");
            }
            assertArrayEquals(EXPECTED, ort.toFloatArray(), 1e-6f, "ONNX Runtime, after " + tensor);
            try (Executor ex = Executor.of(projected); NDManager m = Engines.newManager()) {
                float[] djl = ex.run(m, Map.of("x", input.toNDArray(m)), List.of("y")).get("y").toFloatArray();
                assertArrayEquals(ort.toFloatArray(), djl, 1e-5f, "the executor agrees with ONNX Runtime");
            }
            assertEquals(List.of("x"), projected.graph().inputs().stream().map(i -> i.name()).toList());
            assertEquals(List.of("y"), projected.graph().outputs().stream().map(o -> o.name()).toList());
        }
    }

    @Test
    void keepsFeatureMapsInTheirShapeAndRefusesWhatDoesNotFit() throws Exception {
        GraphBuilder g = new GraphBuilder("maps", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2, 1, 2);
        g.output(g.node("Relu", "y", new String[] {g.node("Identity", "h", new String[] {x})}), DataType.FLOAT32, -1, 2, 1, 2);
        OnnxModel maps = OnnxReader.fromProto(g.build(), null);
        // D = 4; v = e_1 (the second value), z = 0: that value is zeroed, the rest pass.
        OnnxModel projected = OnnxReader.fromProto(ProjectionGraph.insert(maps, "h", new long[] {2, 1, 2}, new float[] {0, 1, 0, 0},
                new float[4]), null);
        try (OrtModel session = OrtModel.open(projected)) {
            HostTensor y = session.run(Map.of("x", HostTensor.ofFloats(new long[] {1, 2, 1, 2}, new float[] {1, 2, 3, 4})),
                    List.of("y")).get("y");
            assertArrayEquals(new long[] {1, 2, 1, 2}, y.shape());
            assertArrayEquals(new float[] {1, 0, 3, 4}, y.toFloatArray());
        }
        assertThrows(CandorException.class, () -> ProjectionGraph.insert(maps, "h", new long[] {2, 1, 2}, V, Z),
                "a direction of 3 values for maps of 4");
        assertThrows(CandorException.class, () -> ProjectionGraph.insert(maps, "nowhere", new long[] {2, 1, 2}, new float[4],
                new float[4]));
        assertThrows(CandorException.class, () -> ProjectionGraph.insert(projected, "h", new long[] {2, 1, 2}, new float[4],
                new float[4]), "twice");
    }
}
