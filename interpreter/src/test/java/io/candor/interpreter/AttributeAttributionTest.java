package io.candor.interpreter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.testing.Arrays2;
import org.junit.jupiter.api.Test;

class AttributeAttributionTest {
    /**
     * A stand-in for a merged model: input [N, c, h, w] -> Flatten -> Gemm(w, bias, transB) -> attributes,
     * so Phi = W x + b and dPhi_j/dx is row j of W.
     */
    static OnnxModel linear(long c, long h, long w, float[][] weights) {
        int j = weights.length;
        int d = weights[0].length;
        float[] flat = new float[j * d];
        float[] bias = new float[j];
        for (int k = 0; k < j; k++) {
            System.arraycopy(weights[k], 0, flat, k * d, d);
            bias[k] = 0.5f * k - 1;
        }
        GraphBuilder g = new GraphBuilder("linear", 13);
        String x = g.input("input", DataType.FLOAT32, -1, c, h, w);
        String f = g.node("Flatten", "flat", new String[] {x}, "axis", 1L);
        g.node("Gemm", InterpreterGraph.ATTRIBUTES, new String[] {f,
                g.initializer("W", HostTensor.ofFloats(new long[] {j, d}, flat)),
                g.initializer("b", HostTensor.ofFloats(new long[] {j}, bias))}, "transB", 1L);
        g.output(InterpreterGraph.ATTRIBUTES, DataType.FLOAT32, -1, j);
        return g.buildModel();
    }

    @Test
    void theGradientOfALinearAttributeIsItsRowOfWeights() {
        float[][] w = {Arrays2.random(1, 6), Arrays2.random(2, 6)};
        float[] x = Arrays2.random(3, 18);
        try (Executor ex = Executor.of(linear(1, 2, 3, w))) {
            AttributeAttribution attribution = AttributeAttribution.of(ex);
            HostTensor grad = attribution.inputGradient(HostTensor.ofFloats(new long[] {3, 1, 2, 3}, x),
                    new int[] {0, 1, 1});
            assertArrayEquals(new long[] {3, 1, 2, 3}, grad.shape());
            float[] g = grad.toFloatArray();
            int[] chosen = {0, 1, 1};
            for (int n = 0; n < 3; n++) {
                for (int i = 0; i < 6; i++) {
                    assertEquals(w[chosen[n]][i], g[n * 6 + i], 1e-7f, "sample " + n + " pixel " + i);
                }
            }
            // The same attribute for all samples.
            float[] all = attribution.inputGradient(HostTensor.ofFloats(new long[] {3, 1, 2, 3}, x), 1).toFloatArray();
            for (int i = 0; i < 18; i++) {
                assertEquals(w[1][i % 6], all[i], 1e-7f);
            }
            assertThrows(CandorException.class,
                    () -> attribution.inputGradient(HostTensor.ofFloats(new long[] {3, 1, 2, 3}, x), 2));
            assertThrows(CandorException.class,
                    () -> attribution.inputGradient(HostTensor.ofLongs(new long[] {1, 1, 2, 3}, 1, 2, 3, 4, 5, 6), 0));
        }
    }

    @Test
    void maskShareByHand() {
        // Sample 0: |a| = 1, 2, 3, 0 (sum 6); sample 1: all zero.
        HostTensor a = HostTensor.ofFloats(new long[] {2, 1, 2, 2}, 1, -2, 3, 0, 0, 0, 0, 0);
        // One mask for all samples, [1, 2, 2] as the dataset's mask.npy: cells 0 and 3 -> (1 + 0) / 6.
        float[] shared = AttributeAttribution.maskShare(a, HostTensor.ofFloats(new long[] {1, 2, 2}, 1, 0, 0, 1));
        assertEquals(1f / 6, shared[0], 1e-7f);
        // A zero attribution has no attribution in the mask: 0, not NaN.
        assertEquals(0f, shared[1]);
        // Per-sample masks [N, 1, 2, 2]: sample 0 marks cells 1 and 2 -> 5 / 6.
        float[] own = AttributeAttribution.maskShare(a,
                HostTensor.ofFloats(new long[] {2, 1, 2, 2}, 0, 1, 1, 0, 1, 1, 1, 1));
        assertEquals(5f / 6, own[0], 1e-7f);
        assertEquals(0f, own[1]);
        // Broadcast over channels: attributions [1, 2, 1, 2], mask [1, 1, 1, 2] marks column 1 of both channels.
        float[] channels = AttributeAttribution.maskShare(HostTensor.ofFloats(new long[] {1, 2, 1, 2}, 1, 2, 3, 4),
                HostTensor.ofFloats(new long[] {1, 1, 1, 2}, 0, 1));
        assertEquals(6f / 10, channels[0], 1e-7f);
        assertThrows(CandorException.class,
                () -> AttributeAttribution.maskShare(a, HostTensor.ofFloats(new long[] {3, 2}, 1, 1, 1, 1, 1, 1)));
    }
}
