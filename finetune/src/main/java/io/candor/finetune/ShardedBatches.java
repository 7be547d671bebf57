package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.CandorException;
import io.candor.interop.tensor.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A split served from its frozen prefix's values as stored {@link PrefixShards}, holding at most a
 * memory budget of them at once. When every shard fits, an epoch is a shuffle of all samples, the
 * same as {@link CachedBatches} gives. Otherwise an epoch visits the shards in a shuffled order, a
 * window of them at a time, and shuffles the samples within each window, so that every shard is read
 * once per epoch. Not thread-safe: one trainer reads it.
 */
public final class ShardedBatches implements TrainingData {
    private static final io.candor.interop.tensor.DataType FLOAT32 = io.candor.interop.tensor.DataType.FLOAT32;
    private final String cut;
    private final PrefixShards shards;
    private final int batchSize;
    private final long[] starts;
    private final int window;
    private final Map<Integer, PrefixShards.Shard> loaded;
    private int reads;

    /**
     * @param memoryBytes how many bytes of shards to hold at once (counting each shard as the largest);
     *     one shard is held whatever the budget
     */
    public ShardedBatches(PrefixShards shards, int batchSize, long memoryBytes) {
        this.cut = shards.cut();
        this.shards = shards;
        this.batchSize = batchSize;
        int n = shards.count();
        starts = new long[n + 1];
        long largest = 1;
        for (int i = 0; i < n; i++) {
            starts[i + 1] = starts[i] + shards.rows(i);
            largest = Math.max(largest, shards.rows(i));
        }
        long rowBytes = HostTensor.elementCount(shards.sampleShape()) * Float.BYTES * (shards.decomposed() ? 2 : 1);
        window = (int) Math.max(1, Math.min(n, memoryBytes / Math.max(1, largest * rowBytes)));
        // An epoch's order runs window after window, so a batch never goes back to the window before.
        int held = window;
        loaded = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, PrefixShards.Shard> eldest) {
                return size() > held;
            }
        };
    }

    @Override
    public long rows() {
        return starts[starts.length - 1];
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    @Override
    public boolean marks() {
        return shards.decomposed();
    }

    /** Shards held at once: all of them when they fit in the budget. */
    public int window() {
        return window;
    }

    /** Shard reads so far. */
    public int reads() {
        return reads;
    }

    @Override
    public long[] order(Random random) {
        if (random == null || window >= shards.count()) {
            return TrainingData.super.order(random);
        }
        int[] visit = shuffled(java.util.stream.IntStream.range(0, shards.count()).filter(s -> shards.rows(s) > 0).toArray(),
                random);
        long[] order = new long[(int) rows()];
        int at = 0;
        for (int w = 0; w < visit.length; w += window) {
            int from = at;
            for (int k = w; k < Math.min(visit.length, w + window); k++) {
                for (long r = starts[visit[k]]; r < starts[visit[k] + 1]; r++) {
                    order[at++] = r;
                }
            }
            for (int i = at - 1; i > from; i--) {
                int j = from + random.nextInt(i - from + 1);
                long t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    private static int[] shuffled(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    @Override
    public Batch get(NDManager batch, long[] order, int b) {
        long[] rows = rowsOf(order, b);
        long[] sample = shards.sampleShape();
        int each = (int) HostTensor.elementCount(sample);
        ByteBuffer values = ByteBuffer.allocate(rows.length * each * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer relevant = shards.decomposed() ? ByteBuffer.allocate(values.capacity()).order(ByteOrder.LITTLE_ENDIAN) : null;
        long[] labels = new long[rows.length];
        boolean[] marked = new boolean[rows.length];
        for (int i = 0; i < rows.length; i++) {
            int s = shardOf(rows[i]);
            PrefixShards.Shard shard = shard(s);
            int r = (int) (rows[i] - starts[s]);
            copyRow(shard.values(), r, each, values);
            if (relevant != null) {
                copyRow(shard.relevant(), r, each, relevant);
            }
            labels[i] = shard.labels()[r];
            marked[i] = shard.marked()[r];
        }
        long[] shape = withRows(rows.length, sample);
        NDArray xs = new HostTensor(FLOAT32, shape, values.flip()).toNDArray(batch);
        NDArray ys = batch.create(labels);
        HostTensor parts = relevant == null ? null : new HostTensor(FLOAT32, shape, relevant.flip());
        return new Batch(batch, cut, xs, ys,
                () -> parts == null ? null : CachedBatches.cdStart(batch, cut, xs, marked, () -> parts.toNDArray(batch)));
    }

    private PrefixShards.Shard shard(int s) {
        PrefixShards.Shard shard = loaded.get(s);
        if (shard == null) {
            shard = shards.read(s);
            reads++;
            if (shard.labels().length != shards.rows(s)) {
                throw new CandorException("shard " + s + " of '" + cut + "' holds " + shard.labels().length
                        + " samples where its listing said " + shards.rows(s));
            }
            loaded.put(s, shard);
        }
        return shard;
    }

    private int shardOf(long row) {
        int i = Arrays.binarySearch(starts, row);
        int s = i >= 0 ? i : -i - 2;
        while (starts[s + 1] == starts[s]) {
            s++; // an empty shard starts where the next one does
        }
        return s;
    }

    private static void copyRow(HostTensor from, int row, int each, ByteBuffer into) {
        ByteBuffer src = from.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        src.position(row * each * Float.BYTES).limit((row + 1) * each * Float.BYTES);
        into.put(src);
    }

    private static long[] withRows(int n, long[] sample) {
        long[] shape = new long[sample.length + 1];
        shape[0] = n;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return shape;
    }

    @Override
    public void close() {
        loaded.clear();
    }
}
