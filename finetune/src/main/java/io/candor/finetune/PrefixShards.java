package io.candor.finetune;

import io.candor.interop.tensor.HostTensor;

/**
 * A frozen prefix's values stored as shards (consecutive runs of a split's samples, in order), as a
 * distributed job writes them: {@link ShardedBatches} streams them into training a shard at a time.
 */
public interface PrefixShards {
    /** The tensor the values are of. */
    String cut();

    /** The {@link FrozenPrefix#prefixKey() key} of the prefix that computed them. */
    String prefixKey();

    /** Whether the shards hold the relevant part at the cut of the marked samples (for CD penalties). */
    boolean decomposed();

    /** Whether the model's input the values came from is token ids (its defaults differ). */
    boolean tokenInputs();

    /** One sample's cut tensor shape (float32). */
    long[] sampleShape();

    int count();

    /** How many samples shard {@code i} holds, known without reading it. */
    long rows(int shard);

    /** Reads shard {@code i}. */
    Shard read(int shard);

    /**
     * One shard: {@code values} and {@code relevant} (null when not decomposed) have a row per sample,
     * beside each sample's label and whether its spurious mask marks anything.
     */
    record Shard(HostTensor values, HostTensor relevant, long[] labels, boolean[] marked) {
        public Shard {
            int n = labels.length;
            if (values.shape()[0] != n || marked.length != n || (relevant != null && relevant.shape()[0] != n)) {
                throw new IllegalArgumentException("a shard's columns disagree on its rows");
            }
        }
    }
}
