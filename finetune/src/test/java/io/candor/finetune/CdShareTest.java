package io.candor.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.data.DatasetSplit;
import org.junit.jupiter.api.Test;

class CdShareTest {
    /** logits = W x with W = [[1, 2], [-1, 1]] and no bias, so CD's parts are W (x m) and W (x (1 - m)). */
    private static OnnxModel linear() {
        GraphBuilder g = new GraphBuilder("linear", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2);
        g.node("Gemm", "y", new String[] {x, g.initializer("w", HostTensor.ofFloats(new long[] {2, 2}, 1, 2, -1, 1))},
                "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 2);
        return g.buildModel();
    }

    @Test
    void meanShareOfThePredictedLogitOverMarkedSamplesAsWorkedByHand() {
        // Feature 0 is marked in the first three samples, nothing in the fourth.
        DatasetSplit split = new DatasetSplit(HostTensor.ofFloats(new long[] {4, 2}, 1, 2, 3, -1, -2, 1, 5, 5),
                HostTensor.ofLongs(new long[] {4}, 0, 0, 1, 1), HostTensor.ofFloats(new long[] {4, 2}, 1, 0, 1, 0, 1, 0, 0, 0));
        // x = [1, 2]: logits [5, 1], class 0, beta 1, gamma 4: 1/5.
        // x = [3, -1]: logits [1, -4], class 0, beta 3, gamma -2: 3/5.
        // x = [-2, 1]: logits [0, 3], class 1, beta 2, gamma 1: 2/3.
        double expected = (0.2 + 0.6 + 2.0 / 3) / 3;
        try (Executor ex = Executor.of(linear())) {
            for (int batch : new int[] {4, 2, 1}) {
                CdShare share = CdShare.of(ex, split, batch);
                assertEquals(3, share.samples(), "batch " + batch);
                assertEquals(expected, share.share(), 1e-6, "batch " + batch);
            }
            assertNull(CdShare.of(ex, new DatasetSplit(split.x(), HostTensor.ofLongs(new long[] {4}, 0, 0, 1, 1), null), 4), "nothing marked");
        }
    }

    @Test
    void aSharedMaskMarksEverySample() {
        DatasetSplit split = new DatasetSplit(HostTensor.ofFloats(new long[] {2, 2}, 1, 2, 3, -1),
                HostTensor.ofLongs(new long[] {2}, 0, 0), HostTensor.ofFloats(new long[] {2}, 0, 1));
        // Feature 1 marked: [1, 2] gives beta 4, gamma 1 (4/5); [3, -1] gives beta -2, gamma 3 (2/5).
        try (Executor ex = Executor.of(linear())) {
            CdShare share = CdShare.of(ex, split, 2);
            assertEquals(2, share.samples());
            assertEquals(0.6, share.share(), 1e-6);
        }
    }
}
