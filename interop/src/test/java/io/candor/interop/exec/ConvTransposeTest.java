package io.candor.interop.exec;

import static io.candor.interop.testing.Arrays2.assertClose;
import static io.candor.interop.testing.Arrays2.random;
import static io.candor.interop.testing.OneOp.attrs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.candor.interop.CandorException;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.ort.OrtModel;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.testing.OneOp;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ConvTranspose against the ONNX definition written as loops, and against ONNX Runtime. */
class ConvTransposeTest {
    /**
     * Every input element scatters its kernel into the output: y[n, m, i*s - pb + p, j*s - pl + q] +=
     * x[n, c, i, j] w[c, m, p, q], then the bias; out = s (in - 1) + output_padding + k - pads.
     */
    private static float[] loops(float[] x, int[] xs, float[] w, int[] ws, float[] b, int[] s, int[] pads, int[] extra) {
        int n = xs[0];
        int c = xs[1];
        int m = ws[1];
        int oh = s[0] * (xs[2] - 1) + extra[0] + ws[2] - pads[0] - pads[2];
        int ow = s[1] * (xs[3] - 1) + extra[1] + ws[3] - pads[1] - pads[3];
        float[] y = new float[n * m * oh * ow];
        for (int a = 0; a < n; a++) {
            for (int k = 0; k < c; k++) {
                for (int i = 0; i < xs[2]; i++) {
                    for (int j = 0; j < xs[3]; j++) {
                        float v = x[((a * c + k) * xs[2] + i) * xs[3] + j];
                        for (int o = 0; o < m; o++) {
                            for (int p = 0; p < ws[2]; p++) {
                                for (int q = 0; q < ws[3]; q++) {
                                    int r = i * s[0] - pads[0] + p;
                                    int t = j * s[1] - pads[1] + q;
                                    if (r >= 0 && r < oh && t >= 0 && t < ow) {
                                        y[((a * m + o) * oh + r) * ow + t] += v * w[((k * m + o) * ws[2] + p) * ws[3] + q];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int i = 0; b != null && i < y.length; i++) {
            y[i] += b[(i / (oh * ow)) % m];
        }
        return y;
    }

    private static void check(int[] xs, int[] ws, boolean bias, int[] strides, int[] pads, int[] extra) {
        float[] x = random(11, xs[0] * xs[1] * xs[2] * xs[3]);
        float[] w = random(12, ws[0] * ws[1] * ws[2] * ws[3]);
        float[] b = bias ? random(13, ws[1]) : null;
        HostTensor[] inputs = {HostTensor.ofFloats(toLong(xs), x), HostTensor.ofFloats(toLong(ws), w),
            bias ? HostTensor.ofFloats(new long[] {ws[1]}, b) : null};
        Object[] attributes = attrs("strides", toLong(strides), "pads", toLong(pads), "output_padding", toLong(extra));
        float[] expected = loops(x, xs, w, ws, b, strides, pads, extra);
        HostTensor y = OneOp.run(13, "ConvTranspose", attributes, inputs);
        assertClose(expected, y.toFloatArray(), 1e-5, "executor");
        OnnxModel model = OneOp.model(13, "ConvTranspose", 1, attributes, inputs);
        try (OrtModel ort = OrtModel.open(model)) {
            assertClose(expected, ort.run(Map.of()).get("out0").toFloatArray(), 1e-5, "ONNX Runtime");
        }
    }

    private static long[] toLong(int[] a) {
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            l[i] = a[i];
        }
        return l;
    }

    @Test
    void flintsMnistDecoderUpsamplingStride2Pad1OutputPadding1() {
        // ConvTranspose2d(2, 8, 3, stride 2, padding 1, output_padding 1): 7 x 7 -> 14 x 14.
        check(new int[] {2, 2, 7, 7}, new int[] {2, 8, 3, 3}, true, new int[] {2, 2}, new int[] {1, 1, 1, 1},
                new int[] {1, 1});
    }

    @Test
    void oneOutputChannelAsymmetricPadsAndNoBias() {
        check(new int[] {1, 8, 5, 4}, new int[] {8, 1, 3, 2}, false, new int[] {2, 3}, new int[] {0, 1, 1, 0},
                new int[] {1, 0});
    }

    @Test
    void strideOneWithoutPadding() {
        check(new int[] {1, 3, 4, 4}, new int[] {3, 5, 2, 2}, true, new int[] {1, 1}, new int[] {0, 0, 0, 0},
                new int[] {0, 0});
    }

    @Test
    void unsupportedFormsAreRefusedWithTheReason() {
        HostTensor x = HostTensor.ofFloats(new long[] {1, 2, 3, 3}, random(1, 18));
        HostTensor w = HostTensor.ofFloats(new long[] {2, 2, 3, 3}, random(2, 36));
        CandorException e = assertThrows(CandorException.class,
                () -> OneOp.run(13, "ConvTranspose", attrs("output_shape", new long[] {6, 6}), x, w));
        assertArrayEquals(new long[] {1, 2, 5, 5}, OneOp.run(13, "ConvTranspose", attrs(), x, w).shape());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("output_shape"), e.getMessage());
    }
}
