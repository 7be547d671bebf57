package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.attribution.cd.ContextualDecomposition;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.models.data.DatasetSplit;

/**
 * How much of the predicted logit contextual decomposition gives to what a split marks spurious: for
 * each marked sample, |beta| / (|beta| + |gamma|) of the predicted class, where beta is the marked
 * region's part (images: the pixels under the mask; tokens: the marked tokens) and gamma the rest;
 * {@code share} is the mean over marked samples.
 *
 * <p>In magnitude, because a spurious feature that lies (a patch whose class code disagrees with the
 * digit) pushes the logit down as strongly as a truthful one pushes it up, and signed shares of the two
 * would cancel. It is the measure {@code candor demo} reports, over a whole split.
 */
public record CdShare(long samples, double share) {

    /** The share on {@code split}, or {@code null} when it marks nothing. */
    public static CdShare of(Executor executor, DatasetSplit split, int batchSize) {
        return split.mask() == null ? null : of(shares(executor, split, batchSize));
    }

    /** The mean of per-sample shares, in order, over the marked samples (the others are NaN); null when none is. */
    public static CdShare of(float[] shares) {
        long samples = 0;
        double sum = 0;
        for (float s : shares) {
            if (!Float.isNaN(s)) {
                sum += s;
                samples++;
            }
        }
        return samples == 0 ? null : new CdShare(samples, sum / samples);
    }

    /**
     * Each sample's share, NaN for the samples the split does not mark, decomposed in batches of
     * {@code batchSize} taken in order.
     */
    public static float[] shares(Executor executor, DatasetSplit split, int batchSize) {
        float[] shares = new float[(int) split.size()];
        java.util.Arrays.fill(shares, Float.NaN);
        if (split.mask() == null) {
            return shares;
        }
        String output = executor.graph().outputs().get(0).name();
        ContextualDecomposition cd = new ContextualDecomposition(executor);
        try (InputBatches batches = new InputBatches(split, executor.singleInput(), batchSize)) {
            long[] order = batches.order(null);
            for (int b = 0; b < batches.count(); b++) {
                try (NDManager m = Engines.newManager()) {
                    Batch batch = batches.get(m, order, b);
                    Batch.CdStart start = batch.cdStart();
                    if (start == null) {
                        continue;
                    }
                    ContextualDecomposition.Decomposition d = start.decompose(cd, m, output, false);
                    float[] marked = predictedShares(start.markedRows(d.relevant()), start.markedRows(d.irrelevant()));
                    boolean[] which = start.marked() == null ? null : start.marked().toBooleanArray();
                    for (int i = 0, k = 0; i < batch.size(); i++) {
                        if (which == null || which[i]) {
                            shares[b * batchSize + i] = marked[k++];
                        }
                    }
                }
            }
        }
        return shares;
    }

    /** Per row, |beta| / (|beta| + |gamma|) at the class beta + gamma predicts (0 where both are 0). */
    static float[] predictedShares(NDArray relevant, NDArray irrelevant) {
        int rows = (int) relevant.getShape().get(0);
        int classes = (int) (relevant.size() / Math.max(1, rows));
        float[] beta = relevant.toFloatArray();
        float[] gamma = irrelevant.toFloatArray();
        float[] shares = new float[rows];
        for (int i = 0; i < rows; i++) {
            int best = i * classes;
            for (int c = i * classes + 1; c < (i + 1) * classes; c++) {
                best = beta[c] + gamma[c] > beta[best] + gamma[best] ? c : best;
            }
            float b = Math.abs(beta[best]);
            float g = Math.abs(gamma[best]);
            shares[i] = b + g == 0 ? 0 : b / (b + g);
        }
        return shares;
    }
}
