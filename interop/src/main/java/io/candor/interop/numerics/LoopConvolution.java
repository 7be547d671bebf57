package io.candor.interop.numerics;

/**
 * A 2-D convolution and its two gradients as plain loops, written from the ONNX Conv spec: the
 * independent reference that the executor's convolution is checked against on the user's machine.
 * Arrays are C order: x [n, c, h, w], weight [m, c / group, kh, kw], y [n, m, oh, ow]; pads are
 * {top, left, bottom, right}, strides and dilations {h, w}. Sums are taken in double precision.
 */
public final class LoopConvolution {
    private final int[] xs;
    private final int[] ws;
    private final int[] pads;
    private final int[] strides;
    private final int[] dilations;
    private final int group;
    private final int oh;
    private final int ow;

    public LoopConvolution(int[] xShape, int[] wShape, int[] pads, int[] strides, int[] dilations, int group) {
        this.xs = xShape.clone();
        this.ws = wShape.clone();
        this.pads = pads.clone();
        this.strides = strides.clone();
        this.dilations = dilations.clone();
        this.group = group;
        this.oh = (xs[2] + pads[0] + pads[2] - dilations[0] * (ws[2] - 1) - 1) / strides[0] + 1;
        this.ow = (xs[3] + pads[1] + pads[3] - dilations[1] * (ws[3] - 1) - 1) / strides[1] + 1;
    }

    /** The output's shape [n, m, oh, ow]. */
    public int[] outputShape() {
        return new int[] {xs[0], ws[0], oh, ow};
    }

    /** y = conv(x, w) + bias; {@code bias} may be null. */
    public float[] forward(float[] x, float[] w, float[] bias) {
        double[] y = new double[xs[0] * ws[0] * oh * ow];
        accumulate(Sum.OUTPUT, x, w, null, y);
        if (bias != null) {
            int plane = oh * ow;
            for (int i = 0; i < y.length; i++) {
                y[i] += bias[(i / plane) % ws[0]];
            }
        }
        return toFloats(y);
    }

    /** d(sum(y * gy)) / dx: the gradient with respect to the input for an upstream gradient gy. */
    public float[] inputGradient(float[] gy, float[] w) {
        double[] dx = new double[xs[0] * xs[1] * xs[2] * xs[3]];
        accumulate(Sum.INPUT_GRADIENT, null, w, gy, dx);
        return toFloats(dx);
    }

    /** d(sum(y * gy)) / dw: the gradient with respect to the weight for an upstream gradient gy. */
    public float[] weightGradient(float[] x, float[] gy) {
        double[] dw = new double[ws[0] * ws[1] * ws[2] * ws[3]];
        accumulate(Sum.WEIGHT_GRADIENT, x, null, gy, dw);
        return toFloats(dw);
    }

    /** Which of the three sums over the convolution's multiply-adds to take. */
    private enum Sum { OUTPUT, INPUT_GRADIENT, WEIGHT_GRADIENT }

    /**
     * Walks every (input, weight, output) triple that one multiply-add of the convolution joins and
     * adds the product of the two known factors into the third. One loop nest with a switch rather
     * than a callback: the self-check runs this once per process, mostly before the JIT compiler.
     */
    private void accumulate(Sum sum, float[] x, float[] w, float[] y, double[] into) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3];
        int m = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int perGroup = m / group;
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < m; o++) {
                int g = o / perGroup;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        int yi = ((b * m + o) * oh + i) * ow + j;
                        for (int ci = 0; ci < cg; ci++) {
                            int ch = g * cg + ci;
                            for (int p = 0; p < kh; p++) {
                                int r = i * strides[0] - pads[0] + p * dilations[0];
                                if (r < 0 || r >= h) {
                                    continue;
                                }
                                for (int q = 0; q < kw; q++) {
                                    int col = j * strides[1] - pads[1] + q * dilations[1];
                                    if (col >= 0 && col < wd) {
                                        int xi = ((b * c + ch) * h + r) * wd + col;
                                        int wi = ((o * cg + ci) * kh + p) * kw + q;
                                        switch (sum) {
                                            case OUTPUT -> into[yi] += (double) x[xi] * w[wi];
                                            case INPUT_GRADIENT -> into[xi] += (double) y[yi] * w[wi];
                                            case WEIGHT_GRADIENT -> into[wi] += (double) x[xi] * y[yi];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static float[] toFloats(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }
}
