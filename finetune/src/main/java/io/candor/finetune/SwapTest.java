package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.models.data.DatasetSplit;
import java.util.List;

/**
 * How much a model's predictions follow what the data marks spurious, measured by behaviour rather than
 * by an explanation: each marked sample gets the marked part of another marked sample whose label
 * differs (images: the pixels under its mask; tokens: the other sample's first marked token in every
 * marked place), and the model predicts again. {@code followed} is the share of these pairs where the
 * new prediction is the other sample's label, {@code changed} where it differs from the prediction
 * before. A model that ignores the spurious feature keeps both near zero; one that relies on it (a
 * class-coding patch or word) follows it.
 *
 * <p>CD's share of the region (the bias score) can fall to zero while the model still follows the
 * region; this test cannot be talked round that way. Partners are taken within batches of the split, in
 * order, so the figure is deterministic.
 */
public record SwapTest(long pairs, double followed, double changed) {

    /** The test on {@code split}, or {@code null} when it marks nothing (no mask, or no two marked samples that differ). */
    public static SwapTest of(Executor executor, DatasetSplit split, int batchSize) {
        if (split.mask() == null) {
            return null;
        }
        String input = executor.singleInput();
        String output = executor.graph().outputs().get(0).name();
        long pairs = 0;
        long followed = 0;
        long changed = 0;
        try (InputBatches batches = new InputBatches(split, input, batchSize)) {
            long[] order = batches.order(null);
            for (int b = 0; b < batches.count(); b++) {
                try (NDManager m = Engines.newManager()) {
                    Batch batch = batches.get(m, order, b);
                    NDArray x = batch.feeds().get(input);
                    long[] y = batch.labels().toLongArray();
                    int[] partner = partners(batch.spurious(), x, y);
                    NDArray swapped = swap(x, batch.spurious(), partner);
                    if (swapped == null) {
                        continue;
                    }
                    long[] before = argmax(executor.run(m, batch.feeds(), List.of(output)).get(output));
                    long[] after = argmax(executor.run(m, java.util.Map.of(input, swapped), List.of(output)).get(output));
                    for (int i = 0; i < partner.length; i++) {
                        if (partner[i] >= 0) {
                            pairs++;
                            followed += after[i] == y[partner[i]] ? 1 : 0;
                            changed += after[i] != before[i] ? 1 : 0;
                        }
                    }
                }
            }
        }
        return pairs == 0 ? null : new SwapTest(pairs, followed / (double) pairs, changed / (double) pairs);
    }

    /** Per sample, the next marked sample (cyclically) with another label, or -1 (unmarked, or none differs). */
    static int[] partners(NDArray spurious, NDArray x, long[] y) {
        int n = y.length;
        NDArray masks = spurious.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).broadcast(x.getShape());
        float[] sums = masks.abs().reshape(n, -1).sum(new int[] {1}).toFloatArray();
        int[] partner = new int[n];
        for (int i = 0; i < n; i++) {
            partner[i] = -1;
            for (int k = 1; k < n && sums[i] > 0; k++) {
                int j = (i + k) % n;
                if (sums[j] > 0 && y[j] != y[i]) {
                    partner[i] = j;
                    break;
                }
            }
        }
        return partner;
    }

    /** x with each paired sample's marked part taken from its partner; null when nothing is paired. */
    static NDArray swap(NDArray x, NDArray spurious, int[] partner) {
        int n = partner.length;
        long[] from = new long[n];
        boolean any = false;
        for (int i = 0; i < n; i++) {
            from[i] = partner[i] >= 0 ? partner[i] : i;
            any |= partner[i] >= 0;
        }
        if (!any) {
            return null;
        }
        if (x.getDataType().isInteger()) {
            return swapTokens(x, spurious.toType(ai.djl.ndarray.types.DataType.INT64, false).broadcast(x.getShape())
                    .toLongArray(), from);
        }
        NDArray mask = spurious.toType(x.getDataType(), false).broadcast(x.getShape());
        NDArray donor = x.get(x.getManager().create(from));
        return x.mul(mask.neg().add(1)).add(donor.mul(mask));
    }

    /** Tokens: every marked place of a sample gets its partner's first marked token. */
    private static NDArray swapTokens(NDArray x, long[] mask, long[] from) {
        long[] ids = x.toLongArray();
        int n = from.length;
        int t = ids.length / n;
        long[] out = ids.clone();
        for (int i = 0; i < n; i++) {
            if (from[i] == i) {
                continue;
            }
            long token = -1;
            for (int s = 0; s < t && token < 0; s++) {
                token = mask[(int) from[i] * t + s] != 0 ? ids[(int) from[i] * t + s] : -1;
            }
            for (int s = 0; s < t; s++) {
                if (mask[i * t + s] != 0 && token >= 0) {
                    out[i * t + s] = token;
                }
            }
        }
        return x.getManager().create(out, x.getShape());
    }

    private static long[] argmax(NDArray logits) {
        return logits.argMax(1).toLongArray();
    }
}
