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
    private final long[] relevantRow;
    private final int size;

    /**
     * Takes ownership of {@code manager}, which holds the arrays.
     *
     * @param values the cut tensor for every sample
     * @param relevant its relevant part for the marked samples, in row order ({@code null} if none)
     * @param relevantRow per sample, its row in {@code relevant}, or -1 when it is not marked
     */
    CachedBatches(NDManager manager, String cut, NDArray values, NDArray labels, NDArray relevant, long[] relevantRow,
            int batchSize) {
        this.manager = manager;
        this.cut = cut;
        this.values = values;
        this.labels = labels;
        this.relevant = relevant;
        this.relevantRow = relevantRow;
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
        return new Batch(batch, cut, xs, ys, () -> start(batch, rows));
    }

    private Batch.CdStart start(NDManager batch, long[] rows) {
        long[] marked = java.util.Arrays.stream(rows).filter(r -> relevantRow[(int) r] >= 0).toArray();
        if (marked.length == 0) {
            return null;
        }
        long[] at = java.util.Arrays.stream(marked).map(r -> relevantRow[(int) r]).toArray();
        NDArray total = values.get(batch.create(marked));
        NDArray part = relevant.get(batch.create(at));
        total.attach(batch);
        part.attach(batch);
        return new Batch.CdStart(cut, CdValue.of(total, part), marked.length);
    }

    @Override
    public void close() {
        manager.close();
    }
}
