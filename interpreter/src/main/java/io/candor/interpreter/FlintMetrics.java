package io.candor.interpreter;

/**
 * FLINT's measures of an interpreter (Parekh et al. 2021, {@code flint.py analyze}), on host arrays: f
 * and g logits [N][C], attributes Phi [N][J] and the linear head's weight W [C][J].
 *
 * <p>An attribute's relevance to a sample is alpha_j = Phi_j W_{c,j} for the class c that g predicts;
 * Candor normalises it as the paper does, r_j = alpha_j / max_j |alpha_j| (the released code compares
 * the signed alpha with max alpha / tau; the paper's form is also the one r_{c,j} averages).
 */
public final class FlintMetrics {
    private FlintMetrics() {
    }

    /** The share of samples where g's predicted class is f's. */
    public static double fidelity(float[][] f, float[][] g) {
        long same = 0;
        for (int n = 0; n < f.length; n++) {
            same += argmax(f[n]) == argmax(g[n]) ? 1 : 0;
        }
        return same / (double) f.length;
    }

    /** The share of samples where f's predicted class is among g's k highest logits. */
    public static double topKFidelity(float[][] f, float[][] g, int k) {
        long hits = 0;
        for (int n = 0; n < f.length; n++) {
            int target = argmax(f[n]);
            int above = 0;
            for (float v : g[n]) {
                above += v > g[n][target] ? 1 : 0;
            }
            hits += above < k ? 1 : 0;
        }
        return hits / (double) f.length;
    }

    /** The share of samples whose predicted class is the label. */
    public static double accuracy(float[][] logits, long[] labels) {
        long right = 0;
        for (int n = 0; n < logits.length; n++) {
            right += argmax(logits[n]) == labels[n] ? 1 : 0;
        }
        return right / (double) logits.length;
    }

    /** Per sample, r_j = alpha_j / max_j |alpha_j| for g's predicted class (zeros where alpha is all 0). */
    public static float[][] relevance(float[][] phi, float[][] g, float[][] w) {
        float[][] r = new float[phi.length][];
        for (int n = 0; n < phi.length; n++) {
            float[] alpha = alpha(phi[n], w, argmax(g[n]));
            float max = 0;
            for (float a : alpha) {
                max = Math.max(max, Math.abs(a));
            }
            for (int k = 0; k < alpha.length && max > 0; k++) {
                alpha[k] /= max;
            }
            r[n] = alpha;
        }
        return r;
    }

    /** One sample's alpha_j = Phi_j W[c][j]: how much attribute j adds to the logit of class c. */
    public static float[] alpha(float[] phi, float[][] w, int c) {
        float[] alpha = new float[phi.length];
        for (int j = 0; j < phi.length; j++) {
            alpha[j] = phi[j] * w[c][j];
        }
        return alpha;
    }

    /** Conciseness CN_tau: the mean number of attributes per sample with r_j > 1 / tau. */
    public static double conciseness(float[][] relevance, double tau) {
        long count = 0;
        for (float[] r : relevance) {
            for (float v : r) {
                count += v > 1 / tau ? 1 : 0;
            }
        }
        return count / (double) relevance.length;
    }

    /** r_{c,j}: the mean of r over the samples g predicts as c (zeros for a class never predicted). */
    public static float[][] classRelevance(float[][] relevance, float[][] g, int classes) {
        int j = relevance.length == 0 ? 0 : relevance[0].length;
        float[][] sum = new float[classes][j];
        int[] count = new int[classes];
        for (int n = 0; n < relevance.length; n++) {
            int c = argmax(g[n]);
            count[c]++;
            for (int k = 0; k < j; k++) {
                sum[c][k] += relevance[n][k];
            }
        }
        for (int c = 0; c < classes; c++) {
            for (int k = 0; k < j && count[c] > 0; k++) {
                sum[c][k] /= count[c];
            }
        }
        return sum;
    }

    /**
     * The ROC AUC of {@code scores} for 0/1 {@code labels}: the chance that a random positive scores above
     * a random negative, ties counting half (Mann-Whitney with average ranks); null where every label
     * is the same, since then there is nothing to separate.
     */
    public static Double rocAuc(float[] scores, float[] labels) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
        double positiveRanks = 0;
        long positives = 0;
        for (int start = 0; start < n;) {
            int end = start;
            while (end < n && scores[order[end]] == scores[order[start]]) {
                end++;
            }
            double rank = (start + 1 + end) / 2.0; // the average of ranks start+1 .. end
            for (int i = start; i < end; i++) {
                if (labels[order[i]] == 1) {
                    positiveRanks += rank;
                    positives++;
                }
            }
            start = end;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return null;
        }
        return (positiveRanks - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** The index of the largest value; ties go to the lower index. */
    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
