package io.candor.interop.numerics;

/**
 * One direction of an ONNX LSTM as plain loops, from the spec: x [t, n, in], w [4h, in], r [4h, h],
 * b [8h] (Wb then Rb), gate blocks in ONNX order input, output, forget, cell. The reference the LSTM
 * kernel is checked against.
 */
public final class LoopLstm {
    private LoopLstm() {
    }

    /** {y [t, n, h], last hidden state [n, h], last cell state [n, h]}. */
    public static float[][] run(float[] x, int steps, int batch, int in, float[] w, float[] r, float[] b,
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
                    double c = sigmoid(gate[2]) * cell[n * hidden + k] + sigmoid(gate[0]) * Math.tanh(gate[3]);
                    cNext[n * hidden + k] = (float) c;
                    hNext[n * hidden + k] = (float) (sigmoid(gate[1]) * Math.tanh(c));
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
