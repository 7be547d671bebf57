package io.candor.interop.exec;

import static io.candor.interop.testing.Arrays2.assertClose;
import static io.candor.interop.testing.Arrays2.random;
import static io.candor.interop.testing.OneOp.attrs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.candor.interop.tensor.HostTensor;
import io.candor.interop.numerics.LoopConvolution;
import io.candor.interop.numerics.LoopLstm;
import io.candor.interop.testing.Naive;
import io.candor.interop.testing.OneOp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each kernel against values worked out by hand or by a loop-by-loop reference of the ONNX spec. */
class OpKernelsTest {
    private static HostTensor f(long[] shape, float... v) {
        return HostTensor.ofFloats(shape, v);
    }

    private static HostTensor l(long... v) {
        return HostTensor.ofLongs(new long[] {v.length}, v);
    }

    @Test
    void convWithAsymmetricPadsStridesDilationsAndGroups() {
        float[] x = random(1, 2 * 4 * 7 * 6);
        float[] w = random(2, 6 * 2 * 3 * 2);
        float[] b = random(3, 6);
        HostTensor y = OneOp.run(13, "Conv",
                attrs("pads", new long[] {1, 0, 2, 1}, "strides", new long[] {2, 1}, "dilations", new long[] {1, 2},
                        "group", 2L),
                f(new long[] {2, 4, 7, 6}, x), f(new long[] {6, 2, 3, 2}, w), f(new long[] {6}, b));
        float[] expected = new LoopConvolution(new int[] {2, 4, 7, 6}, new int[] {6, 2, 3, 2},
                new int[] {1, 0, 2, 1}, new int[] {2, 1}, new int[] {1, 2}, 2).forward(x, w, b);
        assertClose(expected, y.toFloatArray(), 1e-5, "conv");
        assertArrayEquals(new long[] {2, 6, 4, 5}, y.shape());
    }

    @Test
    void convSameUpperPadding() {
        float[] x = random(4, 1 * 1 * 5 * 5);
        float[] w = random(5, 1 * 1 * 2 * 2);
        HostTensor y = OneOp.run(13, "Conv", attrs("auto_pad", "SAME_UPPER"),
                f(new long[] {1, 1, 5, 5}, x), f(new long[] {1, 1, 2, 2}, w));
        // SAME_UPPER with an even kernel pads the extra row and column at the end.
        float[] expected = new LoopConvolution(new int[] {1, 1, 5, 5}, new int[] {1, 1, 2, 2},
                new int[] {0, 0, 1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1).forward(x, w, null);
        assertClose(expected, y.toFloatArray(), 1e-5, "conv same_upper");
    }

    @Test
    void maxPoolWithPaddingAndStride() {
        float[] x = random(6, 2 * 3 * 6 * 5);
        HostTensor y = OneOp.run(13, "MaxPool",
                attrs("kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}),
                f(new long[] {2, 3, 6, 5}, x));
        float[] expected = Naive.maxPool2d(x, new int[] {2, 3, 6, 5}, new int[] {3, 3}, new int[] {2, 2},
                new int[] {1, 1, 1, 1});
        assertClose(expected, y.toFloatArray(), 0, "maxpool");
    }

    @Test
    void maxPoolStridesDefaultToOne() {
        HostTensor y = OneOp.run(13, "MaxPool", attrs("kernel_shape", new long[] {2, 2}),
                f(new long[] {1, 1, 2, 3}, 1, 5, 2, 4, 0, 6));
        assertArrayEquals(new float[] {5, 6}, y.toFloatArray());
    }

    @Test
    void averagePoolExcludesPaddingByDefault() {
        HostTensor y = OneOp.run(13, "AveragePool",
                attrs("kernel_shape", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}, "strides", new long[] {2, 2}),
                f(new long[] {1, 1, 2, 2}, 1, 2, 3, 4));
        // Each 2x2 window holds exactly one real pixel; padding does not count.
        assertArrayEquals(new float[] {1, 2, 3, 4}, y.toFloatArray(), 1e-6f);
        HostTensor counted = OneOp.run(13, "AveragePool",
                attrs("kernel_shape", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}, "strides", new long[] {2, 2},
                        "count_include_pad", 1L),
                f(new long[] {1, 1, 2, 2}, 1, 2, 3, 4));
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f, 1}, counted.toFloatArray(), 1e-6f);
    }

    @Test
    void globalAveragePoolAndFlatten() {
        HostTensor y = OneOp.run(13, "GlobalAveragePool", attrs(), f(new long[] {1, 2, 1, 2}, 1, 3, 10, 20));
        assertArrayEquals(new long[] {1, 2, 1, 1}, y.shape());
        assertArrayEquals(new float[] {2, 15}, y.toFloatArray(), 1e-6f);
        HostTensor flat = OneOp.run(13, "Flatten", attrs("axis", 2L), f(new long[] {2, 3, 2, 1}, random(7, 12)));
        assertArrayEquals(new long[] {6, 2}, flat.shape());
    }

    @Test
    void gemmWithTransposesAlphaBeta() {
        // A' = [[1,3],[2,4]] (transA), B = [[1,0],[0,1]] x, alpha 2, beta 0.5 with C broadcast [2]
        HostTensor y = OneOp.run(13, "Gemm", attrs("transA", 1L, "alpha", 2f, "beta", 0.5f),
                f(new long[] {2, 2}, 1, 2, 3, 4), f(new long[] {2, 2}, 1, 0, 0, 1), f(new long[] {2}, 10, 20));
        assertArrayEquals(new float[] {2 * 1 + 5, 2 * 3 + 10, 2 * 2 + 5, 2 * 4 + 10}, y.toFloatArray(), 1e-6f);
    }

    @Test
    void softmaxCoercesTo2dBeforeOpset13() {
        float[] x = {1, 2, 3, 4};
        HostTensor old = OneOp.run(11, "Softmax", attrs(), f(new long[] {1, 2, 2}, x));
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(4);
        assertEquals(Math.exp(3) / z, old.toFloatArray()[2], 1e-6);
        HostTensor now = OneOp.run(13, "Softmax", attrs(), f(new long[] {1, 2, 2}, x));
        assertEquals(Math.exp(3) / (Math.exp(3) + Math.exp(4)), now.toFloatArray()[2], 1e-6);
        HostTensor log = OneOp.run(13, "LogSoftmax", attrs("axis", 1L), f(new long[] {1, 2, 2}, x));
        assertEquals(3 - Math.log(Math.exp(1) + Math.exp(3)), log.toFloatArray()[2], 1e-5);
    }

    @Test
    void activations() {
        HostTensor x = f(new long[] {3}, -2, 0, 3);
        assertArrayEquals(new float[] {0, 0, 3}, OneOp.run(13, "Relu", attrs(), x).toFloatArray());
        assertArrayEquals(new float[] {-0.2f, 0, 3}, OneOp.run(13, "LeakyRelu", attrs("alpha", 0.1f), x).toFloatArray(), 1e-6f);
        assertEquals(1 / (1 + Math.exp(2)), OneOp.run(13, "Sigmoid", attrs(), x).toFloatArray()[0], 1e-6);
        assertEquals(Math.tanh(3), OneOp.run(13, "Tanh", attrs(), x).toFloatArray()[2], 1e-6);
    }

    @Test
    void arithmeticBroadcastsAndIntegerDivisionTruncates() {
        HostTensor sum = OneOp.run(13, "Add", attrs(), f(new long[] {2, 1}, 1, 2), f(new long[] {3}, 10, 20, 30));
        assertArrayEquals(new float[] {11, 21, 31, 12, 22, 32}, sum.toFloatArray());
        HostTensor q = OneOp.run(13, "Div", attrs(), HostTensor.ofLongs(new long[] {2}, -7, 7), l(2, 2));
        assertArrayEquals(new long[] {-3, 3}, q.toLongArray());
        assertArrayEquals(new float[] {-1, 4}, OneOp.run(13, "Sub", attrs(), f(new long[] {2}, 1, 6), f(new long[] {1}, 2)).toFloatArray());
        assertArrayEquals(new float[] {2, 12}, OneOp.run(13, "Mul", attrs(), f(new long[] {2}, 1, 6), f(new long[] {}, 2)).toFloatArray());
    }

    @Test
    void reshapeCopiesZeroAndInfersMinusOne() {
        HostTensor y = OneOp.run(13, "Reshape", attrs(), f(new long[] {2, 3, 4}, random(8, 24)), l(0, -1));
        assertArrayEquals(new long[] {2, 12}, y.shape());
    }

    @Test
    void squeezeAndUnsqueezeTakeAxesFromAttributesOrInputs() {
        HostTensor x = f(new long[] {1, 3, 1}, 1, 2, 3);
        assertArrayEquals(new long[] {3}, OneOp.run(11, "Squeeze", attrs("axes", new long[] {0, 2}), x).shape());
        assertArrayEquals(new long[] {3, 1}, OneOp.run(13, "Squeeze", attrs(), x, l(0)).shape());
        assertArrayEquals(new long[] {3}, OneOp.run(13, "Squeeze", attrs(), x).shape());
        HostTensor s = HostTensor.ofLongs(new long[0], 5);
        assertArrayEquals(new long[] {1}, OneOp.run(11, "Unsqueeze", attrs("axes", new long[] {0}), s).shape());
        assertArrayEquals(new long[] {1, 1, 3, 1, 1}, OneOp.run(13, "Unsqueeze", attrs(), x, l(0, -1)).shape());
    }

    @Test
    void sliceClampsAndSupportsNegativeSteps() {
        HostTensor x = f(new long[] {2, 5}, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        HostTensor y = OneOp.run(13, "Slice", attrs(), x, l(1), l(Long.MAX_VALUE), l(1), l(2));
        assertArrayEquals(new float[] {1, 3, 6, 8}, y.toFloatArray());
        HostTensor rev = OneOp.run(13, "Slice", attrs(), x, l(-1), l(Long.MIN_VALUE), l(1), l(-2));
        assertArrayEquals(new float[] {4, 2, 0, 9, 7, 5}, rev.toFloatArray());
        HostTensor rows = OneOp.run(13, "Slice", attrs(), x, l(-1), l(100));
        assertArrayEquals(new float[] {5, 6, 7, 8, 9}, rows.toFloatArray());
    }

    @Test
    void gatherEmbeddingsAndScalarIndices() {
        HostTensor table = f(new long[] {4, 2}, 0, 1, 10, 11, 20, 21, 30, 31);
        HostTensor ids = HostTensor.ofLongs(new long[] {2, 2}, 3, 0, 1, -1);
        HostTensor emb = OneOp.run(13, "Gather", attrs(), table, ids);
        assertArrayEquals(new long[] {2, 2, 2}, emb.shape());
        assertArrayEquals(new float[] {30, 31, 0, 1, 10, 11, 30, 31}, emb.toFloatArray());
        HostTensor col = OneOp.run(13, "Gather", attrs("axis", 1L), table, HostTensor.ofLongs(new long[0], 1));
        assertArrayEquals(new long[] {4}, col.shape());
        assertArrayEquals(new float[] {1, 11, 21, 31}, col.toFloatArray());
    }

    @Test
    void shapePlumbing() {
        HostTensor x = f(new long[] {2, 3, 4}, random(9, 24));
        assertArrayEquals(new long[] {2, 3, 4}, OneOp.run(13, "Shape", attrs(), x).toLongArray());
        assertArrayEquals(new long[] {3}, OneOp.run(15, "Shape", attrs("start", 1L, "end", -1L), x).toLongArray());
        HostTensor zeros = OneOp.run(13, "ConstantOfShape", attrs(), l(2, 3));
        assertArrayEquals(new long[] {2, 3}, zeros.shape());
        assertArrayEquals(new float[6], zeros.toFloatArray());
        HostTensor sevens = OneOp.run(13, "ConstantOfShape", attrs("value", HostTensor.ofLongs(new long[] {1}, 7)), l(2));
        assertArrayEquals(new long[] {7, 7}, sevens.toLongArray());
        HostTensor cat = OneOp.run(13, "Concat", attrs("axis", 0L), l(1), l(2, 3));
        assertArrayEquals(new long[] {1, 2, 3}, cat.toLongArray());
        HostTensor t = OneOp.run(13, "Transpose", attrs("perm", new long[] {2, 0, 1}), x);
        assertArrayEquals(new long[] {4, 2, 3}, t.shape());
        HostTensor cast = OneOp.run(13, "Cast", attrs("to", 7L), f(new long[] {2}, 2.7f, -2.7f));
        assertArrayEquals(new long[] {2, -2}, cast.toLongArray());
    }

    @Test
    void padConstantBeforeAndFromOpset11() {
        HostTensor x = f(new long[] {1, 2}, 1, 2);
        HostTensor y = OneOp.run(13, "Pad", attrs(), x, l(0, 1, 1, 0), f(new long[] {}, 9));
        assertArrayEquals(new long[] {2, 3}, y.shape());
        assertArrayEquals(new float[] {9, 1, 2, 9, 9, 9}, y.toFloatArray());
        HostTensor old = OneOp.run(2, "Pad", attrs("pads", new long[] {0, 0, 0, 2}), x);
        assertArrayEquals(new float[] {1, 2, 0, 0}, old.toFloatArray());
    }

    @Test
    void batchNormalizationInEvaluation() {
        HostTensor y = OneOp.run(15, "BatchNormalization", attrs("epsilon", 0f),
                f(new long[] {1, 2, 1, 1}, 3, 5), f(new long[] {2}, 2, 1), f(new long[] {2}, 1, -1),
                f(new long[] {2}, 1, 1), f(new long[] {2}, 4, 16));
        // (3-1)/2*2+1 = 3; (5-1)/4*1-1 = 0
        assertArrayEquals(new float[] {3, 0}, y.toFloatArray(), 1e-6f);
    }

    @Test
    void dropoutIsIdentityInEvaluation() {
        List<HostTensor> y = OneOp.run(13, "Dropout", 2, attrs(), f(new long[] {3}, 1, 2, 3), f(new long[] {}, 0.5f));
        assertArrayEquals(new float[] {1, 2, 3}, y.get(0).toFloatArray());
        assertArrayEquals(new long[] {1, 1, 1}, y.get(1).toLongArray());
    }

    @Test
    void lstmMatchesTheSpecInEveryDirectionAndLayout() {
        int steps = 4, batch = 3, in = 5, hidden = 6;
        for (String direction : List.of("forward", "reverse", "bidirectional")) {
            int dirs = direction.equals("bidirectional") ? 2 : 1;
            float[] x = random(10, steps * batch * in);
            float[] w = random(11, dirs * 4 * hidden * in);
            float[] r = random(12, dirs * 4 * hidden * hidden);
            float[] b = random(13, dirs * 8 * hidden);
            float[] h0 = random(14, dirs * batch * hidden);
            float[] c0 = random(15, dirs * batch * hidden);
            List<HostTensor> out = OneOp.run(13, "LSTM", 3,
                    attrs("hidden_size", (long) hidden, "direction", direction),
                    f(new long[] {steps, batch, in}, x), f(new long[] {dirs, 4 * hidden, in}, w),
                    f(new long[] {dirs, 4 * hidden, hidden}, r), f(new long[] {dirs, 8 * hidden}, b), null,
                    f(new long[] {dirs, batch, hidden}, h0), f(new long[] {dirs, batch, hidden}, c0));
            float[] y = out.get(0).toFloatArray();
            assertArrayEquals(new long[] {steps, dirs, batch, hidden}, out.get(0).shape());
            for (int d = 0; d < dirs; d++) {
                boolean reverse = direction.equals("reverse") || d == 1;
                float[][] ref = LoopLstm.run(x, steps, batch, in, part(w, d, dirs), part(r, d, dirs), part(b, d, dirs),
                        part(h0, d, dirs), part(c0, d, dirs), hidden, reverse);
                float[] yd = new float[steps * batch * hidden];
                for (int t = 0; t < steps; t++) {
                    System.arraycopy(y, (t * dirs + d) * batch * hidden, yd, t * batch * hidden, batch * hidden);
                }
                assertClose(ref[0], yd, 1e-5, direction + " Y");
                assertClose(ref[1], part(out.get(1).toFloatArray(), d, dirs), 1e-5, direction + " Y_h");
                assertClose(ref[2], part(out.get(2).toFloatArray(), d, dirs), 1e-5, direction + " Y_c");
            }
        }
    }

    @Test
    void lstmBatchMajorLayout() {
        int steps = 3, batch = 2, in = 2, hidden = 3;
        float[] xSeq = random(20, steps * batch * in);
        float[] xBatch = new float[xSeq.length];
        for (int t = 0; t < steps; t++) {
            for (int n = 0; n < batch; n++) {
                System.arraycopy(xSeq, (t * batch + n) * in, xBatch, (n * steps + t) * in, in);
            }
        }
        float[] w = random(21, 4 * hidden * in);
        float[] r = random(22, 4 * hidden * hidden);
        HostTensor y = OneOp.run(14, "LSTM", 2, attrs("hidden_size", (long) hidden, "layout", 1L),
                f(new long[] {batch, steps, in}, xBatch), f(new long[] {1, 4 * hidden, in}, w),
                f(new long[] {1, 4 * hidden, hidden}, r)).get(1);
        float[][] ref = LoopLstm.run(xSeq, steps, batch, in, w, r, new float[8 * hidden], new float[batch * hidden],
                new float[batch * hidden], hidden, false);
        assertArrayEquals(new long[] {batch, 1, hidden}, y.shape());
        assertClose(ref[1], y.toFloatArray(), 1e-5, "layout 1 Y_h");
    }

    private static float[] part(float[] a, int d, int dirs) {
        int n = a.length / dirs;
        return java.util.Arrays.copyOfRange(a, d * n, (d + 1) * n);
    }
}
