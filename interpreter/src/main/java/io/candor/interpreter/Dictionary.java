package io.candor.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.data.Concepts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code dictionary.json} says about a trained interpreter, measured on a split's tap cache:
 * accuracy of f and g, fidelity (and top-5 fidelity where there are at least 5 classes), conciseness
 * CN_tau, the class x attribute relevance r_{c,j} with the pairs above a threshold, each attribute's
 * MAX samples (the split's rows where it is largest) and, for bound concepts, how well each attribute
 * predicts its concept and what it weighs for each class.
 */
public final class Dictionary {
    /** FLINT's tau values for CN_tau. */
    public static final double[] TAUS = {1.5, 2, 2.5, 3, 4, 5};
    /** FLINT's threshold on r_{c,j} for MNIST. */
    public static final double RELEVANT = 0.1;
    static final int MAX_SAMPLES = 3;
    /** Rows measured at a time, so a large split's taps never go through the interpreter at once. */
    private static final int BATCH = 256;

    private Dictionary() {
    }

    public static Map<String, Object> measure(Executor interpreter, TapCache data) {
        int n = data.size();
        float[][] phi = new float[n][];
        float[][] g = new float[n][];
        try (NDManager root = Engines.newManager()) {
            Map<String, NDArray> taps = new LinkedHashMap<>();
            data.taps().forEach((name, t) -> taps.put(name, t.toNDArray(root)));
            for (int start = 0; start < n; start += BATCH) {
                try (NDManager m = root.newSubManager()) {
                    Map<String, NDArray> batch = new LinkedHashMap<>();
                    for (var tap : taps.entrySet()) {
                        NDArray rows = tap.getValue().get(start + ":" + Math.min(n, start + BATCH));
                        rows.attach(m);
                        batch.put(tap.getKey(), rows);
                    }
                    Map<String, NDArray> out = interpreter.run(m, batch, List.of(InterpreterGraph.ATTRIBUTES, InterpreterGraph.LOGITS));
                    float[][] p = rows(HostTensor.of(out.get(InterpreterGraph.ATTRIBUTES)));
                    float[][] l = rows(HostTensor.of(out.get(InterpreterGraph.LOGITS)));
                    System.arraycopy(p, 0, phi, start, p.length);
                    System.arraycopy(l, 0, g, start, l.length);
                }
            }
        }
        float[][] f = rows(data.logits());
        float[][] w = rows(HostTensor.of(interpreter.weight("h.weight")));
        int classes = f[0].length;
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("samples", data.size());
        metrics.put("accuracyF", FlintMetrics.accuracy(f, data.labels()));
        metrics.put("accuracyG", FlintMetrics.accuracy(g, data.labels()));
        metrics.put("fidelity", FlintMetrics.fidelity(f, g));
        if (classes >= 5) {
            metrics.put("top5Fidelity", FlintMetrics.topKFidelity(f, g, 5));
        }
        float[][] relevance = FlintMetrics.relevance(phi, g, w);
        Map<String, Double> conciseness = new LinkedHashMap<>();
        for (double tau : TAUS) {
            conciseness.put(Double.toString(tau), FlintMetrics.conciseness(relevance, tau));
        }
        metrics.put("conciseness", conciseness);
        float[][] byClass = FlintMetrics.classRelevance(relevance, g, classes);
        List<Map<String, Object>> pairs = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < byClass[c].length; j++) {
                if (byClass[c][j] > RELEVANT) {
                    pairs.add(Map.of("class", c, "attribute", j, "relevance", (double) byClass[c][j]));
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("metrics", metrics);
        out.put("classRelevance", byClass);
        out.put("relevantPairs", pairs);
        out.put("maxSamples", maxSamples(phi));
        int bound = InterpreterGraph.boundConcepts(interpreter);
        if (bound > 0 && data.concepts() != null) {
            out.put("concepts", concepts(data.concepts(), bound, phi, g, w));
        }
        return out;
    }

    /**
     * For each bound concept k (attribute k): how well the attribute ranks the split's labels (ROC AUC,
     * null where the label does not vary), its weight in h for each class (and their mean magnitude,
     * one figure to compare models by), and its mean contribution
     * Phi_k w_{c,k} to the logit of c over the samples g assigns to c.
     */
    static List<Map<String, Object>> concepts(Concepts labels, int bound, float[][] phi, float[][] g, float[][] w) {
        int classes = w.length;
        int[] predicted = new int[g.length];
        for (int i = 0; i < g.length; i++) {
            predicted[i] = FlintMetrics.argmax(g[i]);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int k = 0; k < bound; k++) {
            float[] scores = new float[phi.length];
            for (int i = 0; i < phi.length; i++) {
                scores[i] = phi[i][k];
            }
            double[] weights = new double[classes];
            double[] contribution = new double[classes];
            int[] count = new int[classes];
            for (int c = 0; c < classes; c++) {
                weights[c] = w[c][k];
            }
            for (int i = 0; i < phi.length; i++) {
                contribution[predicted[i]] += phi[i][k] * w[predicted[i]][k];
                count[predicted[i]]++;
            }
            for (int c = 0; c < classes; c++) {
                contribution[c] = count[c] == 0 ? 0 : contribution[c] / count[c];
            }
            String name = labels.names().get(k);
            Map<String, Object> concept = new LinkedHashMap<>();
            concept.put("name", name);
            concept.put("attribute", k);
            concept.put("description", labels.descriptions().getOrDefault(name, ""));
            concept.put("auc", FlintMetrics.rocAuc(scores, labels.column(k)));
            concept.put("weights", weights);
            concept.put("meanAbsWeight", java.util.Arrays.stream(weights).map(Math::abs).average().orElse(0));
            concept.put("meanContribution", contribution);
            out.add(concept);
        }
        return out;
    }

    /** Per attribute, the rows with its {@link #MAX_SAMPLES} largest values, largest first. */
    static int[][] maxSamples(float[][] phi) {
        int j = phi.length == 0 ? 0 : phi[0].length;
        int[][] best = new int[j][];
        for (int k = 0; k < j; k++) {
            final int attribute = k;
            best[k] = java.util.stream.IntStream.range(0, phi.length).boxed()
                    .sorted((a, b) -> Float.compare(phi[b][attribute], phi[a][attribute])).limit(MAX_SAMPLES)
                    .mapToInt(Integer::intValue).toArray();
        }
        return best;
    }

    /** {@code t} [N, ...] as N rows of its flattened values. */
    public static float[][] rows(HostTensor t) {
        long[] s = t.shape();
        int n = (int) s[0];
        int width = n == 0 ? 0 : (int) (t.size() / n);
        float[] v = t.toFloatArray();
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = java.util.Arrays.copyOfRange(v, i * width, (i + 1) * width);
        }
        return out;
    }
}
