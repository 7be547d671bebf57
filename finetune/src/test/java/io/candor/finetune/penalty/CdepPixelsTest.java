package io.candor.finetune.penalty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.candor.finetune.Batch;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.testing.Arrays2;
import org.junit.jupiter.api.Test;

class CdepPixelsTest {
    /** x [N, 2, 2, 2] -> Flatten -> Gemm(3). */
    private static OnnxModel linear() {
        GraphBuilder g = new GraphBuilder("linear", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2, 2, 2);
        String f = g.node("Flatten", "f", new String[] {x});
        g.node("Gemm", "y", new String[] {f, g.initializer("w", HostTensor.ofFloats(new long[] {3, 8}, Arrays2.random(5, 24))),
            g.initializer("b", HostTensor.ofFloats(new long[] {3}, 0.1f, -0.2f, 0.3f))}, "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 3);
        return g.buildModel();
    }

    @Test
    void inkIsWhereAnyChannelRisesAboveItsBackground() {
        // Two images, two channels, 2 x 2 pixels; channel 0's background is -1, channel 1's is 0.
        HostTensor x = HostTensor.ofFloats(new long[] {2, 2, 2, 2},
                -1, 0.5f, -1, -1, /* ch1 */ 0, 0, 0, 2,
                -1, -1, -1, -1, /* ch1 */ 0, 3, 0, 1);
        assertArrayEquals(new double[] {0, 1, 0, 1}, CdepPixels.inkFrequency(x), 1e-12);
    }

    @Test
    void everyDrawIsAPixelWithInkAndTheTermsAreSummed() {
        double[] ink = {0, 0, 0.7, 0}; // only pixel (1, 0) can be drawn
        try (Executor ex = Executor.of(linear()); NDManager m = Engines.newManager()) {
            NDArray x = m.create(Arrays2.random(9, 16), new Shape(2, 2, 2, 2));
            Batch batch = Batch.ofInputs(m, "x", x, m.create(new long[] {0, 2}), null);
            NDArray pixel = m.zeros(new Shape(1, 2, 2));
            pixel.set(new ai.djl.ndarray.index.NDIndex(0, 1, 0), 1f);
            float one = new Cdep().value(ex, Batch.ofInputs(m, "x", x, batch.labels(), pixel)).getFloat();
            CdepPixels three = new CdepPixels(ink, 2, 2, 3, 7);
            assertEquals(3 * one, three.value(ex, batch).getFloat(), 1e-5);
            OutputPenalty.Forward fused = three.forward(ex, batch);
            assertEquals(3 * one, fused.penalty().getFloat(), 1e-5);
            assertArrayEquals(ex.forward(m, x).toFloatArray(), fused.logits().toFloatArray(), 1e-5f);
        }
        assertThrows(CandorException.class, () -> new CdepPixels(new double[4], 2, 2, 8, 0), "no ink anywhere");
    }
}
