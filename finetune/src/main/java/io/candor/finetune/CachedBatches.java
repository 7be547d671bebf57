package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.attribution.cd.CdValue;

/**
 * A split whose frozen prefix has run once (see {@link FrozenPrefix}): each batch feeds the cut
 * tensor's stored values, and decomposition of its marked samples starts from their stored relevant
 * part at the cut.
 */
public final class CachedBatches implements TrainingData {
    private final NDManager manager;
    private final String cut;
    private final NDArray values;
    private final NDArray labels;
    private final NDArray relevant;
    private final boolean[] marked;
    private final int size;

    /**
     * Takes ownership of {@code manager}, which holds the arrays.
     *
     * @param values the cut tensor for every sample
     * @param relevant its relevant part for every sample, zero for those not marked ({@code null} when
     *     none is marked or it was not decomposed)
     * @param marked per sample, whether its mask marks anything
     */
    CachedBatches(NDManager manager, String cut, NDArray values, NDArray labels, NDArray relevant, boolean[] marked,
            int batchSize) {
        this.manager = manager;
        this.cut = cut;
        this.values = values;
        this.labels = labels;
        this.relevant = relevant;
        this.marked = marked;
        this.size = batchSize;
    }

    @Override
    public long rows() {
        return values.getShape().get(0);
    }

    @Override
    public int batchSize() {
        return size;
    }

    @Override
    public boolean marks() {
        return relevant != null;
    }

    @Override
    public Batch get(NDManager batch, long[] order, int b) {
        long[] rows = rowsOf(order, b);
        NDArray index = batch.create(rows);
        NDArray xs = values.get(index);
        NDArray ys = labels.get(index);
        xs.attach(batch);
        ys.attach(batch);
        return new Batch(batch, cut, xs, ys, () -> start(batch, rows, index, xs));
    }

    private Batch.CdStart start(NDManager batch, long[] rows, NDArray index, NDArray total) {
        if (relevant == null) {
            return null;
        }
        boolean[] inBatch = new boolean[rows.length];
        for (int i = 0; i < rows.length; i++) {
            inBatch[i] = marked[(int) rows[i]];
        }
        return cdStart(batch, cut, total, inBatch, () -> {
            NDArray part = relevant.get(index);
            part.attach(batch);
            return part;
        });
    }

    /**
     * Where decomposition of a batch fed from stored prefix values starts: at the cut, from the stored
     * relevant part ({@code part}, asked for only when a sample of the batch is marked), or null when none is.
     */
    static Batch.CdStart cdStart(NDManager batch, String cut, NDArray total, boolean[] inBatch,
            java.util.function.Supplier<NDArray> part) {
        int count = 0;
        for (boolean m : inBatch) {
            count += m ? 1 : 0;
        }
        if (count == 0) {
            return null;
        }
        return new Batch.CdStart(cut, CdValue.of(total, part.get()), count == inBatch.length ? null : batch.create(inBatch),
                count);
    }

    @Override
    public void close() {
        manager.close();
    }
}
