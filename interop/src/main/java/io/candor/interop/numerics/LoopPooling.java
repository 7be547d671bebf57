package io.candor.interop.numerics;

/**
 * 2-D max and average pooling (no padding) and their input gradients as plain loops: x [n, c, h, w],
 * a square kernel and stride. The max's gradient goes to the first maximum of each window.
 */
public final class LoopPooling {
    private final int[] xs;
    private final int kernel;
    private final int stride;
    private final boolean max;
    private final int oh;
    private final int ow;

    public LoopPooling(int[] xShape, int kernel, int stride, boolean max) {
        this.xs = xShape.clone();
        this.kernel = kernel;
        this.stride = stride;
        this.max = max;
        this.oh = (xs[2] - kernel) / stride + 1;
        this.ow = (xs[3] - kernel) / stride + 1;
    }

    public int outputSize() {
        return xs[0] * xs[1] * oh * ow;
    }

    public float[] forward(float[] x) {
        float[] y = new float[outputSize()];
        walk(x, (window, out) -> y[out] = value(x, window));
        return y;
    }

    public float[] inputGradient(float[] x, float[] gy) {
        float[] dx = new float[x.length];
        walk(x, (window, out) -> {
            if (max) {
                dx[argmax(x, window)] += gy[out];
            } else {
                for (int i : window) {
                    dx[i] += gy[out] / (kernel * kernel);
                }
            }
        });
        return dx;
    }

    private interface Visitor {
        void at(int[] window, int out);
    }

    private void walk(float[] x, Visitor v) {
        int h = xs[2];
        int w = xs[3];
        int[] window = new int[kernel * kernel];
        for (int plane = 0; plane < xs[0] * xs[1]; plane++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int k = 0;
                    for (int p = 0; p < kernel; p++) {
                        for (int q = 0; q < kernel; q++) {
                            window[k++] = (plane * h + i * stride + p) * w + j * stride + q;
                        }
                    }
                    v.at(window, (plane * oh + i) * ow + j);
                }
            }
        }
    }

    private float value(float[] x, int[] window) {
        if (max) {
            return x[argmax(x, window)];
        }
        double s = 0;
        for (int i : window) {
            s += x[i];
        }
        return (float) (s / window.length);
    }

    private static int argmax(float[] x, int[] window) {
        int best = window[0];
        for (int i : window) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
