package io.candor.interpreter;

/**
 * Fits a linear head g = W Phi + b on fixed attributes so that it mimics a model's outputs: FLINT's output
 * fidelity (cross-entropy from softmax(f) to softmax(g)) with an L1 penalty on W, minimised over the whole
 * set by Adam. The attributes stay as they are, so the heads of two models fitted on the same samples say
 * how each model uses the same dictionary (the biased model and its repair, say).
 *
 * <p>The fit runs on host arrays: a head is J x C numbers, and the same start, steps and data give the
 * same weights on every machine.
 */
public final class HeadFit {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;

    private final int steps;
    private final float learningRate;
    private final float l1;

    /**
     * @param steps full-batch Adam steps
     * @param learningRate Adam's step size
     * @param l1 weight of sum |W| (the intercepts b are not penalised)
     */
    public HeadFit(int steps, float learningRate, float l1) {
        if (steps < 1 || !(learningRate > 0) || !(l1 >= 0)) {
            throw new IllegalArgumentException("steps must be positive, the learning rate positive and l1 non-negative");
        }
        this.steps = steps;
        this.learningRate = learningRate;
        this.l1 = l1;
    }

    /** Candor's setting: 500 steps of 0.05, L1 1e-3 (fidelity settles well before; small weights go to near zero). */
    public static HeadFit standard() {
        return new HeadFit(500, 0.05f, 1e-3f);
    }

    /**
     * A fitted head.
     *
     * @param weight W [C][J]
     * @param bias b [C]
     * @param loss the objective at the end (cross-entropy + L1)
     */
    public record Head(float[][] weight, float[] bias, double loss) {
        /** g for each row of {@code phi}, [N][C]. */
        public float[][] logits(float[][] phi) {
            float[][] g = new float[phi.length][weight.length];
            for (int n = 0; n < phi.length; n++) {
                for (int c = 0; c < weight.length; c++) {
                    double s = bias[c];
                    for (int j = 0; j < phi[n].length; j++) {
                        s += weight[c][j] * phi[n][j];
                    }
                    g[n][c] = (float) s;
                }
            }
            return g;
        }
    }

    /**
     * Fits the head to {@code targets}: probabilities [N][C] (rows summing to 1) of the model to mimic.
     *
     * @param phi attributes [N][J]
     */
    public Head fit(float[][] phi, float[][] targets) {
        int n = phi.length;
        if (n == 0 || targets.length != n) {
            throw new IllegalArgumentException("need as many target rows as attribute rows, at least one: " + n + " and "
                    + targets.length);
        }
        int classes = targets[0].length;
        int attributes = phi[0].length;
        float[] w = new float[classes * attributes]; // row-major [C][J]
        float[] b = new float[classes];
        Adam wState = new Adam(w.length);
        Adam bState = new Adam(classes);
        for (int t = 1; t <= steps; t++) {
            float[] gw = new float[w.length];
            float[] gb = new float[classes];
            gradient(phi, targets, w, b, gw, gb);
            wState.step(w, gw, t, learningRate);
            bState.step(b, gb, t, learningRate);
        }
        double loss = gradient(phi, targets, w, b, new float[w.length], new float[classes]);
        float[][] weight = new float[classes][];
        for (int c = 0; c < classes; c++) {
            weight[c] = java.util.Arrays.copyOfRange(w, c * attributes, (c + 1) * attributes);
        }
        return new Head(weight, b, loss);
    }

    /** softmax of each row: a model's logits as the probabilities {@link #fit} mimics. */
    public static float[][] softmax(float[][] logits) {
        float[][] p = new float[logits.length][];
        for (int n = 0; n < logits.length; n++) {
            p[n] = LocalExplanation.softmax(logits[n]);
        }
        return p;
    }

    /** The objective at (w, b), w row-major [C*J]; its gradient is added into gw and gb. */
    double gradient(float[][] phi, float[][] targets, float[] w, float[] b, float[] gw, float[] gb) {
        int n = phi.length;
        int classes = b.length;
        int attributes = w.length / classes;
        double ce = 0;
        float[] g = new float[classes];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                double s = b[c];
                for (int j = 0; j < attributes; j++) {
                    s += w[c * attributes + j] * phi[i][j];
                }
                g[c] = (float) s;
            }
            float[] q = LocalExplanation.softmax(g);
            double logZ = logSumExp(g);
            for (int c = 0; c < classes; c++) {
                ce -= targets[i][c] * (g[c] - logZ);
                float d = (q[c] - targets[i][c]) / n;
                gb[c] += d;
                for (int j = 0; j < attributes; j++) {
                    gw[c * attributes + j] += d * phi[i][j];
                }
            }
        }
        double penalty = 0;
        for (int k = 0; k < w.length; k++) {
            penalty += Math.abs(w[k]);
            gw[k] += l1 * Math.signum(w[k]);
        }
        return ce / n + l1 * penalty;
    }

    private static double logSumExp(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }

    /** Adam's moments for one parameter array; {@link #step} updates the parameters in place. */
    private static final class Adam {
        private final float[] m;
        private final float[] v;

        Adam(int size) {
            m = new float[size];
            v = new float[size];
        }

        void step(float[] params, float[] grad, int t, float lr) {
            float correction1 = 1 - (float) Math.pow(BETA1, t);
            float correction2 = 1 - (float) Math.pow(BETA2, t);
            for (int i = 0; i < params.length; i++) {
                m[i] = BETA1 * m[i] + (1 - BETA1) * grad[i];
                v[i] = BETA2 * v[i] + (1 - BETA2) * grad[i] * grad[i];
                params[i] -= lr * (m[i] / correction1) / ((float) Math.sqrt(v[i] / correction2) + EPS);
            }
        }
    }
}
