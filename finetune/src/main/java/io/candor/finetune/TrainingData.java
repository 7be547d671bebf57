package io.candor.finetune;

import ai.djl.ndarray.NDManager;
import java.util.Random;

/**
 * The samples of one split, served as mini-batches of a fixed size in a seeded shuffled order or in
 * order. Closing it frees what it holds.
 */
public interface TrainingData extends AutoCloseable {
    long rows();

    int batchSize();

    /** Whether any sample carries a spurious-feature mask. */
    boolean marks();

    /** Batch {@code b} of {@code order}, its arrays in {@code batch}. */
    Batch get(NDManager batch, long[] order, int b);

    default int count() {
        return (int) ((rows() + batchSize() - 1) / batchSize());
    }

    /** Row order for an epoch: a seeded permutation, or the identity when {@code random} is null. */
    default long[] order(Random random) {
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

    /** The rows of batch {@code b} in {@code order}. */
    default long[] rowsOf(long[] order, int b) {
        int from = b * batchSize();
        int to = (int) Math.min(order.length, from + (long) batchSize());
        return java.util.Arrays.copyOfRange(order, from, to);
    }

    @Override
    void close();
}
