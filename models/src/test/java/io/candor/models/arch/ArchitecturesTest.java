package io.candor.models.arch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.exec.ShapeProbe;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.tensor.HostTensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArchitecturesTest {
    @Test
    void mnistCnnHasThePaperLayoutAndPyTorchInitialisation() {
        OnnxModel model = OnnxReader.fromProto(MnistCnn.build(1), null);
        assertEquals(233_196, model.graph().parameterCount());
        try (Executor ex = Executor.of(model)) {
            Map<String, long[]> shapes = ShapeProbe.probe(ex, ShapeProbe.inputShapes(ex, Map.of()));
            assertArrayEquals(new long[] {1, 20, 12, 12}, shapes.get("pool1"));
            assertArrayEquals(new long[] {1, 800}, shapes.get("flatten"));
            assertArrayEquals(new long[] {1, 10}, shapes.get("fc2"));
        }
        HostTensor w = model.graph().initializers().get("fc1.weight");
        double bound = 1 / Math.sqrt(800);
        float max = 0;
        for (float v : w.toFloatArray()) {
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max <= bound && max > 0.95 * bound, "uniform in +-1/sqrt(fan_in): max " + max);
    }

    @Test
    void theSameSeedGivesTheSameModel() {
        assertEquals(MnistCnn.build(3), MnistCnn.build(3));
        assertNotEquals(MnistCnn.build(3), MnistCnn.build(4));
    }

    @Test
    void narrowVgg16RunsAt224() {
        OnnxModel model = OnnxReader.fromProto(Vgg16.build(16, 224, 10, 0), null);
        assertEquals(13, model.graph().nodes().stream().filter(n -> n.opType().equals("Conv")).count());
        assertEquals(5, model.graph().nodes().stream().filter(n -> n.opType().equals("MaxPool")).count());
        try (Executor ex = Executor.of(model); NDManager m = Engines.newManager()) {
            assertArrayEquals(new long[] {2, 10},
                    ex.forward(m, m.randomNormal(new Shape(2, 3, 224, 224))).getShape().getShape());
        }
        assertThrows(CandorException.class, () -> Vgg16.build(16, 100, 10, 0));
    }
}
