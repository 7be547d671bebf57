package io.candor.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.finetune.penalty.Cdep;
import io.candor.interop.exec.Executor;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.data.DatasetSplit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShardedBatchesTest {
    private static final TrainingConfig CONFIG = new TrainingConfig(2, 16, 0.01f, "adam", 0.9f, 1e-4f, 5, 0, "pool", null);

    /** A split's prefix values cut into shards of the given sizes, in memory, counting reads. */
    private record InMemory(String cut, String prefixKey, long[] sampleShape, List<Shard> parts) implements PrefixShards {
        static InMemory of(FrozenPrefix prefix, DatasetSplit split, int... sizes) {
            FrozenPrefix.Values v = prefix.compute(split, true, true);
            boolean[] marked = SpuriousMasks.marked(split);
            List<Shard> parts = new ArrayList<>();
            int from = 0;
            for (int size : sizes) {
                int[] rows = java.util.stream.IntStream.range(from, from + size).toArray();
                parts.add(new Shard(v.values().rows(rows), v.relevant().rows(rows), Arrays.copyOfRange(split.labels(), from,
                        from + size), Arrays.copyOfRange(marked, from, from + size)));
                from += size;
            }
            assertEquals(split.size(), from);
            long[] shape = v.values().shape();
            return new InMemory("pool", prefix.prefixKey(), Arrays.copyOfRange(shape, 1, shape.length), parts);
        }

        @Override
        public boolean tokenInputs() {
            return false;
        }

        @Override
        public boolean decomposed() {
            return true;
        }

        @Override
        public int count() {
            return parts.size();
        }

        @Override
        public long rows(int shard) {
            return parts.get(shard).labels().length;
        }

        @Override
        public Shard read(int shard) {
            return parts.get(shard);
        }
    }

    private static Map<String, HostTensor> trained(boolean sharded, long memory) {
        DatasetSplit train = FrozenPrefixTest.split(80, 1);
        DatasetSplit val = FrozenPrefixTest.split(24, 2);
        try (Executor ex = Executor.of(FrozenPrefixTest.smallCnn());
                Trainer trainer = new Trainer(ex, CONFIG, new Objective(new Cdep(), 2f))) {
            FrozenPrefix prefix = new FrozenPrefix(ex, "pool", null, line -> { });
            try (TrainingData t = sharded ? new ShardedBatches(InMemory.of(prefix, train, 30, 0, 25, 25), 16, memory)
                    : prefix.batches(train, "train", true, 16);
                    TrainingData v = sharded ? new ShardedBatches(InMemory.of(prefix, val, 10, 14), 16, memory)
                            : prefix.batches(val, "val", true, 16)) {
                trainer.train(t, v, null, new Trainer.Listener() { });
            }
            return ex.initializerValues();
        }
    }

    @Test
    void shardsThatFitInMemoryTrainTheWeightsOfTheCachedPrefix() {
        Map<String, HostTensor> cached = trained(false, 0);
        Map<String, HostTensor> sharded = trained(true, Long.MAX_VALUE);
        for (String name : cached.keySet()) {
            assertArrayEquals(cached.get(name).toFloatArray(), sharded.get(name).toFloatArray(), name);
        }
    }

    @Test
    void shardsBeyondTheBudgetAreStreamedAWindowAtATimeEachReadOncePerEpoch() {
        DatasetSplit train = FrozenPrefixTest.split(80, 1);
        try (Executor ex = Executor.of(FrozenPrefixTest.smallCnn())) {
            InMemory shards = InMemory.of(new FrozenPrefix(ex, "pool", null, line -> { }), train, 20, 20, 0, 20, 20);
            long shardBytes = 20L * 36 * 4 * 2; // 20 samples of 4 x 3 x 3 floats, values and relevant parts
            try (ShardedBatches batches = new ShardedBatches(shards, 16, 2 * shardBytes)) {
                assertEquals(2, batches.window());
                Random random = new Random(3);
                for (int epoch = 1; epoch <= 2; epoch++) {
                    long[] order = batches.order(random);
                    long[] sorted = order.clone();
                    Arrays.sort(sorted);
                    assertArrayEquals(java.util.stream.LongStream.range(0, 80).toArray(), sorted, "a permutation of the rows");
                    // Each window of two shards (40 rows) is shuffled within itself only.
                    for (int w = 0; w < 2; w++) {
                        long[] part = Arrays.copyOfRange(order, 40 * w, 40 * w + 40);
                        assertEquals(2, Arrays.stream(part).map(r -> r / 20).distinct().count(), Arrays.toString(part));
                    }
                    try (ai.djl.ndarray.NDManager m = io.candor.interop.exec.Engines.newManager()) {
                        for (int b = 0; b < batches.count(); b++) {
                            Batch batch = batches.get(m, order, b);
                            long[] rows = batches.rowsOf(order, b);
                            float[] got = batch.feeds().get("pool").toFloatArray();
                            for (int i = 0; i < rows.length; i++) {
                                int s = (int) (rows[i] / 20);
                                int shard = s < 2 ? s : s + 1; // the empty shard sits third
                                float[] want = shards.parts().get(shard).values().rows((int) (rows[i] % 20)).toFloatArray();
                                assertArrayEquals(want, Arrays.copyOfRange(got, i * 36, i * 36 + 36));
                            }
                        }
                    }
                    assertTrue(batches.reads() <= 4 * epoch && batches.reads() >= 4 * epoch - 2 * (epoch - 1),
                            "each non-empty shard read once per epoch (a window the next epoch starts with may be held): "
                            + batches.reads() + " after epoch " + epoch);
                }
            }
        }
    }
}
