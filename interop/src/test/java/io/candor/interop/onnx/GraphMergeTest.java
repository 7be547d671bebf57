package io.candor.interop.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.candor.interop.CandorException;
import io.candor.interop.ort.OrtModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphMergeTest {
    /** y = relu(x + b). */
    private static ModelProto model() {
        GraphBuilder g = new GraphBuilder("model", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2);
        String h = g.node("Add", "h", new String[] {x, g.initializer("b", HostTensor.ofFloats(new long[] {2}, 1, -1))});
        g.node("Relu", "y", new String[] {h});
        g.output("y", DataType.FLOAT32, -1, 2);
        return g.build();
    }

    /** out = t * w, with an initializer and a tensor whose names clash with the model's. */
    private static ModelProto part(String output) {
        GraphBuilder g = new GraphBuilder("part", 13);
        String t = g.input("t", DataType.FLOAT32, -1, 2);
        String h = g.node("Mul", "h", new String[] {t, g.initializer("b", HostTensor.ofFloats(new long[] {2}, 2, 3))});
        g.node("Identity", output, new String[] {h});
        g.output(output, DataType.FLOAT32, -1, 2);
        return g.build();
    }

    @Test
    void thePartReadsTheModelsTensorAndItsNamesDoNotClash() {
        ModelProto merged = GraphMerge.attach(model(), part("z"), Map.of("t", "h"), "part/");
        try (OrtModel ort = OrtModel.open(OnnxReader.fromProto(merged, null))) {
            Map<String, HostTensor> out = ort.run(Map.of("x", HostTensor.ofFloats(new long[] {1, 2}, 2, 0.5f)),
                    java.util.List.of("y", "z"));
            // h = [3, -0.5]: y = relu(h), z = h * [2, 3] (the part's own b, renamed part/b).
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {3, 0}, out.get("y").toFloatArray());
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {6, -1.5f}, out.get("z").toFloatArray());
        }
        assertEquals(2, merged.getGraph().getOutputCount());
    }

    @Test
    void refusesAMissingTensorAndAnOutputNameTheModelHas() {
        CandorException missing = assertThrows(CandorException.class,
                () -> GraphMerge.attach(model(), part("z"), Map.of("t", "nope"), "p/"));
        assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
        CandorException unconnected = assertThrows(CandorException.class,
                () -> GraphMerge.attach(model(), part("z"), Map.of(), "p/"));
        assertTrue(unconnected.getMessage().contains("'t' is not connected"), unconnected.getMessage());
        CandorException prefix = assertThrows(CandorException.class,
                () -> GraphMerge.attach(model(), part("z"), Map.of("t", "h"), "h"));
        assertTrue(prefix.getMessage().contains("prefix"), prefix.getMessage());
        CandorException clash = assertThrows(CandorException.class,
                () -> GraphMerge.attach(model(), part("y"), Map.of("t", "h"), "p/"));
        assertTrue(clash.getMessage().contains("'y'"), clash.getMessage());
    }
}
