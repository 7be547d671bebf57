package io.candor.interop.testing;

/**
 * Loop-by-loop reference implementations of a few ops, written straight from the ONNX operator spec,
 * to test the executor's PyTorch-backed kernels against something independent (the convolution and
 * LSTM references live in {@code io.candor.interop.numerics}, where the self-check uses them too). Arrays are C order.
 */
public final class Naive {
    private Naive() {
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

}
