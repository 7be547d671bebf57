package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.models.data.DatasetSplit;
import java.util.Random;

/**
 * A dataset split held as NDArrays, cut into mini-batches (shuffled with a seed, or in order). The
 * split lives in the manager given at construction; each batch's rows are gathered into the batch's
 * own manager.
 */
final class Batches {
    private final NDArray x;
    private final NDArray y;
    private final NDArray spurious;
    private final int size;

    Batches(DatasetSplit split, NDManager manager, int batchSize) {
        this.x = split.x().toNDArray(manager);
        this.y = split.y().toNDArray(manager).toType(ai.djl.ndarray.types.DataType.INT64, false);
        this.spurious = split.mask() == null ? null
                : split.mask().toNDArray(manager).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        this.size = batchSize;
    }

    long rows() {
        return x.getShape().get(0);
    }

    int count() {
        return (int) ((rows() + size - 1) / size);
    }

    /** Row order for an epoch: a seeded permutation, or the identity when {@code random} is null. */
    long[] order(Random random) {
        long[] order = new long[(int) rows()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; random != null && i > 0; i--) {
            int j = random.nextInt(i + 1);
            long t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * The spurious-feature masks of batch {@code b}: the split's per-sample masks gathered like its rows,
     * or one mask shared by every sample; {@code null} when the split has none.
     */
    NDArray spurious(NDManager batch, long[] order, int b) {
        if (spurious == null) {
            return null;
        }
        boolean perSample = spurious.getShape().dimension() == x.getShape().dimension()
                && spurious.getShape().get(0) == rows() && rows() > 1;
        if (!perSample) {
            return spurious;
        }
        int from = b * size;
        int to = (int) Math.min(order.length, from + (long) size);
        NDArray rows = spurious.get(batch.create(java.util.Arrays.copyOfRange(order, from, to)));
        rows.attach(batch);
        return rows;
    }

    /** Batch {@code b} of {@code order}: inputs and labels in {@code batch}. */
    NDArray[] get(NDManager batch, long[] order, int b) {
        int from = b * size;
        int to = (int) Math.min(order.length, from + (long) size);
        NDArray index = batch.create(java.util.Arrays.copyOfRange(order, from, to));
        NDArray xs = x.get(index);
        NDArray ys = y.get(index);
        xs.attach(batch);
        ys.attach(batch);
        return new NDArray[] {xs, ys};
    }
}
