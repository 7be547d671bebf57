package io.candor.interpreter;

import io.candor.interop.CandorException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * FLINT's local explanation of one prediction (Parekh et al. 2021, section 5): for a sample x and the
 * class c that the interpreter g predicts, attribute j's relevance is alpha_j = Phi_j(x) W[c][j], with W
 * the head h's weight [C, J]; the K attributes with the largest alpha explain the prediction.
 *
 * @param sample the sample's row in its batch
 * @param fClass the model f's class; {@code fProbability} is its probability
 * @param gClass the interpreter g's class c; {@code gProbability} is the softmax of g's logits there
 * @param phi every attribute's value Phi_j
 * @param alpha every attribute's relevance alpha_j
 * @param top the K largest alpha, largest first (ties: the lower attribute first)
 */
public record LocalExplanation(int sample, int fClass, float fProbability, int gClass, float gProbability, float[] phi,
        float[] alpha, List<Contribution> top) {

    /** One of the top attributes, with the concept bound to it ({@code concept} null when none is). */
    public record Contribution(int attribute, float alpha, float phi, String concept) {
        /** The name a reader knows the attribute by: its concept as well, when it has one. */
        public String label() {
            return concept == null ? "attribute " + attribute : concept + " (attribute " + attribute + ")";
        }
    }

    /** Whether f and g predict the same class. */
    public boolean agree() {
        return fClass == gClass;
    }

    /**
     * The explanation of each of N samples.
     *
     * @param f f's outputs [N][C]: logits, or probabilities when {@code fIsProbability} (a Softmax made them)
     * @param phi the attributes [N][J]
     * @param g g's logits [N][C]
     * @param w the head's weight [C][J]
     * @param concepts the concept bound to an attribute, by attribute (the others have none)
     * @param k how many attributes explain each sample, 1..J
     */
    public static List<LocalExplanation> explain(float[][] f, boolean fIsProbability, float[][] phi, float[][] g,
            float[][] w, Map<Integer, String> concepts, int k) {
        requireShapes(f, phi, g, w, k);
        List<LocalExplanation> explained = new ArrayList<>();
        for (int s = 0; s < phi.length; s++) {
            float[] pf = fIsProbability ? f[s] : softmax(f[s]);
            int fc = FlintMetrics.argmax(f[s]);
            int gc = FlintMetrics.argmax(g[s]);
            float[] alpha = FlintMetrics.alpha(phi[s], w, gc);
            List<Contribution> top = new ArrayList<>();
            for (int j : topK(alpha, k)) {
                top.add(new Contribution(j, alpha[j], phi[s][j], concepts.get(j)));
            }
            explained.add(new LocalExplanation(s, fc, pf[fc], gc, softmax(g[s])[gc], phi[s], alpha, List.copyOf(top)));
        }
        return explained;
    }

    /** The indices of the K largest values, largest first (ties: the lower index first). */
    static int[] topK(float[] alpha, int k) {
        return IntStream.range(0, alpha.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(j -> -alpha[j]).thenComparingInt(j -> j))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    /** Probabilities from logits, through doubles and shifted by the largest logit so that exp cannot overflow. */
    static float[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = (float) (e[i] / sum);
        }
        return p;
    }

    /** Arrays from different runs would give a wrong answer, not an error: say so instead. */
    private static void requireShapes(float[][] f, float[][] phi, float[][] g, float[][] w, int k) {
        int classes = w.length;
        int attributes = classes == 0 ? 0 : w[0].length;
        if (attributes == 0 || k < 1 || k > attributes) {
            throw new CandorException("a local explanation needs a head [classes, attributes] and 1 to " + attributes
                    + " top attributes, got " + classes + " x " + attributes + " and " + k);
        }
        if (f.length != phi.length || g.length != phi.length) {
            throw new CandorException("f, Phi and g disagree on the samples: " + f.length + ", " + phi.length + " and "
                    + g.length);
        }
        for (int s = 0; s < phi.length; s++) {
            if (f[s].length != classes || g[s].length != classes || phi[s].length != attributes) {
                throw new CandorException("sample " + s + " has " + f[s].length + " f values, " + g[s].length
                        + " g logits and " + phi[s].length + " attributes; the head is " + classes + " x " + attributes);
            }
        }
        for (float[] row : w) {
            if (row.length != attributes) {
                throw new CandorException("the head's weight is ragged: rows of " + attributes + " and " + row.length);
            }
        }
    }
}
