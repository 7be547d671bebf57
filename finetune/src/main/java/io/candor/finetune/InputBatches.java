package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.candor.models.data.DatasetSplit;

/**
 * A dataset split held as NDArrays and served whole: every step runs the model from its input. A
 * sample is marked when its spurious mask (per sample, or one shared by all) is not all zeros.
 */
public final class InputBatches implements TrainingData {
    private final NDManager manager;
    private final String input;
    private final NDArray x;
    private final NDArray y;
    private final NDArray spurious;
    private final boolean perSample;
    private final boolean marks;
    private final int size;

    /** Copies the split into arrays of its own; {@code input} names the model's input tensor. */
    public InputBatches(DatasetSplit split, String input, int batchSize) {
        this.manager = io.candor.interop.exec.Engines.newManager();
        this.input = input;
        this.x = split.x().toNDArray(manager);
        this.y = split.y().toNDArray(manager).toType(DataType.INT64, false);
        this.spurious = split.mask() == null ? null : split.mask().toNDArray(manager).toType(x.getDataType(), false);
        this.size = batchSize;
        this.perSample = SpuriousMasks.perSample(split);
        this.marks = SpuriousMasks.any(SpuriousMasks.marked(split));
    }

    @Override
    public long rows() {
        return x.getShape().get(0);
    }

    @Override
    public int batchSize() {
        return size;
    }

    @Override
    public boolean marks() {
        return marks;
    }

    @Override
    public Batch get(NDManager batch, long[] order, int b) {
        NDArray index = batch.create(rowsOf(order, b));
        NDArray xs = x.get(index);
        NDArray ys = y.get(index);
        // A shared mask is copied too: what penalties derive from it must land in the batch's manager,
        // not in this split's, which lives for the whole run.
        NDArray masks = spurious == null ? null : perSample ? spurious.get(index) : spurious.duplicate();
        xs.attach(batch);
        ys.attach(batch);
        if (masks != null) {
            masks.attach(batch);
        }
        return Batch.ofInputs(batch, input, xs, ys, masks);
    }

    @Override
    public void close() {
        manager.close();
    }
}
