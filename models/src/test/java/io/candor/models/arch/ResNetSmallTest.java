package io.candor.models.arch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.exec.ShapeProbe;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.tensor.HostTensor;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ResNetSmallTest {
    @Test
    void stagesHaveTheirShapesAndTheLogitsTen() {
        OnnxModel model = OnnxReader.fromProto(ResNetSmall.build(1), null);
        try (Executor ex = Executor.of(model)) {
            Map<String, long[]> shapes = ShapeProbe.probe(ex, ShapeProbe.inputShapes(ex, Map.of("input", new long[] {2, 1, 28, 28})));
            assertArrayEquals(new long[] {2, 16, 28, 28}, shapes.get("stage1"));
            assertArrayEquals(new long[] {2, 32, 14, 14}, shapes.get("stage2.relu1"));
            assertArrayEquals(new long[] {2, 32, 14, 14}, shapes.get("stage2.skip"));
            assertArrayEquals(new long[] {2, 32, 14, 14}, shapes.get("stage2"));
            assertArrayEquals(new long[] {2, 64, 7, 7}, shapes.get("stage3.skip"));
            assertArrayEquals(new long[] {2, 64, 7, 7}, shapes.get("stage3"));
            assertArrayEquals(new long[] {2, 64, 1, 1}, shapes.get("pool"));
            assertArrayEquals(new long[] {2, 64}, shapes.get("flatten"));
            assertArrayEquals(new long[] {2, 10}, shapes.get("fc"));
        }
        assertEquals("input", model.graph().inputs().get(0).name());
        assertEquals("fc", model.graph().outputs().get(0).name());
        // Weights and biases: stage1 1*16*9+16; stage2 16*32*9+32, 32*32*9+32 and the skip 16*32+32;
        // stage3 32*64*9+64, 64*64*9+64 and the skip 32*64+64; fc 64*10+10.
        long stage2 = 4_640 + 9_248 + 544;
        long stage3 = 18_496 + 36_928 + 2_112;
        assertEquals(160 + stage2 + stage3 + 650, model.graph().parameterCount());
    }

    @Test
    void twoResidualBlocksWithoutBatchNormInitialisedAsTorchvisionsResNet() {
        OnnxModel model = OnnxReader.fromProto(ResNetSmall.build(1), null);
        Map<String, Long> ops = model.graph().nodes().stream()
                .collect(Collectors.groupingBy(n -> n.opType(), Collectors.counting()));
        assertEquals(Map.of("Conv", 7L, "Relu", 5L, "Add", 2L, "GlobalAveragePool", 1L, "Flatten", 1L, "Gemm", 1L), ops);
        // kaiming_normal_(mode fan_out, ReLU): standard deviation sqrt(2 / (64 * 3 * 3)); biases zero.
        float[] w = model.graph().initializers().get("stage3.conv2.weight").toFloatArray();
        double mean = 0;
        double square = 0;
        for (float v : w) {
            mean += v / (double) w.length;
            square += v * (double) v / w.length;
        }
        double expected = Math.sqrt(2.0 / (64 * 9));
        assertEquals(0, mean, 0.05 * expected);
        assertEquals(expected, Math.sqrt(square - mean * mean), 0.03 * expected);
        for (float b : model.graph().initializers().get("stage2.conv1.bias").toFloatArray()) {
            assertEquals(0f, b);
        }
        HostTensor fc = model.graph().initializers().get("fc.weight");
        assertArrayEquals(new long[] {10, 64}, fc.shape());
    }

    @Test
    void takesColourImagesAndTheSameSeedGivesTheSameModel() {
        OnnxModel colour = OnnxReader.fromProto(ResNetSmall.build(3, 0), null);
        try (Executor ex = Executor.of(colour)) {
            Map<String, long[]> inputs = ShapeProbe.inputShapes(ex, Map.of());
            assertArrayEquals(new long[] {1, 3, 28, 28}, inputs.get("input"));
            Map<String, long[]> shapes = ShapeProbe.probe(ex, inputs);
            assertArrayEquals(new long[] {1, 10}, shapes.get("fc"));
        }
        assertEquals(ResNetSmall.build(3), ResNetSmall.build(3));
        assertNotEquals(ResNetSmall.build(3), ResNetSmall.build(4));
        assertThrows(CandorException.class, () -> ResNetSmall.build(0, 1));
    }
}
