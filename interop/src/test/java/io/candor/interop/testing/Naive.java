package io.candor.interop.testing;

/**
 * Loop-by-loop reference implementations of a few ops, written straight from the ONNX operator spec,
 * to test the executor's PyTorch-backed kernels against something independent. Arrays are C order.
 */
public final class Naive {
    private Naive() {
    }

    /**
     * 2-D convolution of x [n, c, h, w] by weight [m, c/group, kh, kw] with bias [m], pads
     * {top, left, bottom, right}, strides and dilations {h, w}.
     */
    public static float[] conv2d(float[] x, int[] xs, float[] w, int[] ws, float[] bias, int[] pads,
            int[] strides, int[] dilations, int group) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3];
        int m = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int oh = (h + pads[0] + pads[2] - dilations[0] * (kh - 1) - 1) / strides[0] + 1;
        int ow = (wd + pads[1] + pads[3] - dilations[1] * (kw - 1) - 1) / strides[1] + 1;
        float[] y = new float[n * m * oh * ow];
        int mPerGroup = m / group;
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < m; o++) {
                int g = o / mPerGroup;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = bias == null ? 0 : bias[o];
                        for (int ci = 0; ci < cg; ci++) {
                            int ch = g * cg + ci;
                            for (int p = 0; p < kh; p++) {
                                for (int q = 0; q < kw; q++) {
                                    int r = i * strides[0] - pads[0] + p * dilations[0];
                                    int col = j * strides[1] - pads[1] + q * dilations[1];
                                    if (r >= 0 && r < h && col >= 0 && col < wd) {
                                        s += x[((b * c + ch) * h + r) * wd + col] * w[((o * cg + ci) * kh + p) * kw + q];
                                    }
                                }
                            }
                        }
                        y[((b * m + o) * oh + i) * ow + j] = (float) s;
                    }
                }
            }
        }
        return y;
    }

    /** 2-D max pooling with pads {top, left, bottom, right}; padding never wins. */
    public static float[] maxPool2d(float[] x, int[] xs, int[] kernel, int[] strides, int[] pads) {
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3];
        int oh = (h + pads[0] + pads[2] - kernel[0]) / strides[0] + 1;
        int ow = (w + pads[1] + pads[3] - kernel[1]) / strides[1] + 1;
        float[] y = new float[n * c * oh * ow];
        for (int b = 0; b < n * c; b++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    float best = Float.NEGATIVE_INFINITY;
                    for (int p = 0; p < kernel[0]; p++) {
                        for (int q = 0; q < kernel[1]; q++) {
                            int r = i * strides[0] - pads[0] + p;
                            int col = j * strides[1] - pads[1] + q;
                            if (r >= 0 && r < h && col >= 0 && col < w) {
                                best = Math.max(best, x[(b * h + r) * w + col]);
                            }
                        }
                    }
                    y[(b * oh + i) * ow + j] = best;
                }
            }
        }
        return y;
    }

    /**
     * One direction of an ONNX LSTM, seq-major: x [t, n, in], w [4h, in], r [4h, h], b [8h] (Wb then
     * Rb), gate blocks in ONNX order i, o, f, c. Returns {y [t, n, h], hLast [n, h], cLast [n, h]}.
     */
    public static float[][] lstm(float[] x, int steps, int batch, int in, float[] w, float[] r, float[] b,
            float[] h0, float[] c0, int hidden, boolean reverse) {
        float[] h = h0.clone();
        float[] cell = c0.clone();
        float[] y = new float[steps * batch * hidden];
        for (int s = 0; s < steps; s++) {
            int t = reverse ? steps - 1 - s : s;
            float[] hNext = new float[batch * hidden];
            float[] cNext = new float[batch * hidden];
            for (int n = 0; n < batch; n++) {
                for (int k = 0; k < hidden; k++) {
                    double[] gate = new double[4];
                    for (int blk = 0; blk < 4; blk++) {
                        int row = blk * hidden + k;
                        double a = b[row] + b[4 * hidden + row];
                        for (int f = 0; f < in; f++) {
                            a += w[row * in + f] * x[(t * batch + n) * in + f];
                        }
                        for (int f = 0; f < hidden; f++) {
                            a += r[row * hidden + f] * h[n * hidden + f];
                        }
                        gate[blk] = a;
                    }
                    double i = sigmoid(gate[0]);
                    double o = sigmoid(gate[1]);
                    double f = sigmoid(gate[2]);
                    double g = Math.tanh(gate[3]);
                    double c = f * cell[n * hidden + k] + i * g;
                    cNext[n * hidden + k] = (float) c;
                    hNext[n * hidden + k] = (float) (o * Math.tanh(c));
                }
            }
            h = hNext;
            cell = cNext;
            System.arraycopy(h, 0, y, t * batch * hidden, batch * hidden);
        }
        return new float[][] {y, h, cell};
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }
}
