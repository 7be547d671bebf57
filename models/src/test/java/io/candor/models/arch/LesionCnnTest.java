package io.candor.models.arch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.exec.ShapeProbe;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LesionCnnTest {
    @Test
    void blocksHalveTheImageAndTheHeadGivesTwoClasses() {
        OnnxModel model = OnnxReader.fromProto(LesionCnn.build(64, 1), null);
        try (Executor ex = Executor.of(model)) {
            Map<String, long[]> shapes = ShapeProbe.probe(ex, ShapeProbe.inputShapes(ex, Map.of("input", new long[] {2, 3, 64, 64})));
            assertArrayEquals(new long[] {2, 16, 64, 64}, shapes.get("relu1"));
            assertArrayEquals(new long[] {2, 16, 32, 32}, shapes.get("pool1"));
            assertArrayEquals(new long[] {2, 32, 16, 16}, shapes.get("pool2"));
            assertArrayEquals(new long[] {2, 64, 8, 8}, shapes.get("pool3"));
            assertArrayEquals(new long[] {2, 64, 1, 1}, shapes.get("gpool"));
            assertArrayEquals(new long[] {2, 64}, shapes.get("flatten"));
            assertArrayEquals(new long[] {2, 64}, shapes.get("relu4"));
            assertArrayEquals(new long[] {2, 2}, shapes.get("fc2"));
        }
        // conv1 3*16*25+16, conv2 16*32*25+32, conv3 32*64*9+64, fc1 64*64+64, fc2 64*2+2.
        assertEquals(1_216 + 12_832 + 18_496 + 4_160 + 130, model.graph().parameterCount());
    }

    @Test
    void theImageSideMustBeAMultipleOfEight() {
        OnnxModel small = OnnxReader.fromProto(LesionCnn.build(32, 0), null);
        try (Executor ex = Executor.of(small)) {
            Map<String, long[]> shapes = ShapeProbe.probe(ex, ShapeProbe.inputShapes(ex, Map.of("input", new long[] {1, 3, 32, 32})));
            assertArrayEquals(new long[] {1, 64, 1, 1}, shapes.get("gpool"), "the global pool adapts to the side");
        }
        assertThrows(CandorException.class, () -> LesionCnn.build(60, 0));
        assertThrows(CandorException.class, () -> LesionCnn.build(0, 0));
    }
}
