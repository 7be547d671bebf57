package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.attribution.cd.CdValue;
import io.candor.attribution.cd.ContextualDecomposition;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One mini-batch as a training step sees it: what the forward pass is fed (the model's input, or the
 * values of a cut tensor computed once by a frozen prefix), the labels, and on demand where contextual
 * decomposition of its marked samples starts. Everything lives in {@link #manager()}.
 */
public final class Batch {
    private final NDManager manager;
    private final String fed;
    private final NDArray values;
    private final NDArray labels;
    private final Supplier<CdStart> start;
    private final NDArray spurious;
    private CdStart cdStart;
    private boolean started;

    /**
     * @param fed the tensor the forward pass starts from
     * @param start computes where decomposition starts for the marked samples, or gives null when no
     *     sample is marked or the data marks nothing
     */
    public Batch(NDManager manager, String fed, NDArray values, NDArray labels, Supplier<CdStart> start) {
        this(manager, fed, values, labels, start, null);
    }

    private Batch(NDManager manager, String fed, NDArray values, NDArray labels, Supplier<CdStart> start,
            NDArray spurious) {
        this.spurious = spurious;
        this.manager = manager;
        this.fed = fed;
        this.values = values;
        this.labels = labels;
        this.start = start;
    }

    /**
     * Where contextual decomposition of the batch starts: the tensor and its (total, relevant) pair for
     * every sample, the relevant part zero for the samples whose spurious mask is empty; which samples
     * are marked (a boolean per sample, or {@code null} when all are) and how many. For token inputs
     * the value is the constant token ids and {@code tokenMask} ([batch, tokens], 1 = spurious) says
     * which tokens' embeddings are relevant; it is {@code null} otherwise.
     */
    public record CdStart(String tensor, CdValue value, NDArray marked, long samples, NDArray tokenMask) {
        public CdStart(String tensor, CdValue value, NDArray marked, long samples) {
            this(tensor, value, marked, samples, null);
        }

        /** The rows of {@code a} (one per sample) that belong to marked samples. */
        public NDArray markedRows(NDArray a) {
            return marked == null ? a : a.get(marked);
        }

        public boolean isTokens() {
            return tokenMask != null;
        }

        /**
         * Decomposes {@code output} of the whole batch from here: at the embedding lookup of the token ids
         * (the token mask marks the relevant ones), or onward from the tensor's pair. {@code asForwardPass}
         * is for the training step (see {@link ContextualDecomposition#asForwardPass}); images take it
         * from how {@code cd} was made.
         */
        public ContextualDecomposition.Decomposition decompose(ContextualDecomposition cd, NDManager batch, String output,
                boolean asForwardPass) {
            if (isTokens()) {
                return cd.decomposeTokens(batch, Map.of(tensor, value.total()), tensor, tokenMask, output, asForwardPass);
            }
            return cd.from(batch, tensor, value, output);
        }
    }

    /**
     * A batch fed at the model's input {@code input}, whose samples are marked by {@code spurious} (1 =
     * spurious; per sample or shared, broadcastable to x; {@code null}: none is marked). Integer inputs
     * are token ids, marked per token.
     */
    public static Batch ofInputs(NDManager manager, String input, NDArray x, NDArray y, NDArray spurious) {
        return new Batch(manager, input, x, y, () -> spurious == null ? null : inputStart(manager, input, x, spurious),
                spurious);
    }

    /** x and x * mask (or the token ids and their mask), marking the samples whose mask is not all zeros. */
    private static CdStart inputStart(NDManager manager, String input, NDArray x, NDArray spurious) {
        long n = x.getShape().get(0);
        boolean tokens = x.getDataType().isInteger();
        NDArray masks = spurious.toType(tokens ? ai.djl.ndarray.types.DataType.FLOAT32 : x.getDataType(), false)
                .broadcast(x.getShape());
        masks.attach(manager); // a shared mask lives in the split's manager, which outlasts the batch
        float[] sums = masks.abs().reshape(n, -1).sum(new int[] {1}).toFloatArray();
        boolean[] marked = new boolean[(int) n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            marked[i] = sums[i] > 0;
            count += marked[i] ? 1 : 0;
        }
        if (count == 0) {
            return null;
        }
        NDArray which = count == n ? null : manager.create(marked);
        if (tokens) {
            return new CdStart(input, CdValue.constant(x), which, count, masks);
        }
        return new CdStart(input, ContextualDecomposition.start(manager, x, masks), which, count);
    }

    public NDManager manager() {
        return manager;
    }

    /** The tensor the forward pass starts from. */
    public String fed() {
        return fed;
    }

    public Map<String, NDArray> feeds() {
        return Map.of(fed, values);
    }

    /**
     * The spurious masks of a batch fed at the input (per sample or shared, broadcastable to it), or
     * {@code null} when it has none or is fed elsewhere.
     */
    public NDArray spurious() {
        return spurious;
    }

    public NDArray labels() {
        return labels;
    }

    public long size() {
        return labels.size();
    }

    /** The decomposition's start, computed once; null when no sample is marked. */
    public CdStart cdStart() {
        if (!started) {
            cdStart = start.get();
            started = true;
        }
        return cdStart;
    }
}
