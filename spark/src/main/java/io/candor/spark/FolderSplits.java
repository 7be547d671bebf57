package io.candor.spark;

import io.candor.finetune.SpuriousMasks;
import io.candor.models.data.DatasetFolder;
import io.candor.models.data.DatasetSplit;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * Dataset-folder splits as the workers read them: each worker JVM reads a split once from where it lies
 * (a shared disk on a cluster; in local mode the driver's own read) and serves its batches, so tasks
 * carry batch numbers instead of the samples' bytes.
 */
final class FolderSplits {
    private static final Map<String, DatasetSplit> READ = new ConcurrentHashMap<>();

    private FolderSplits() {
    }

    /** The split {@code name} of the folder {@code data}, read once per JVM. */
    static DatasetSplit get(String data, String name) {
        return READ.computeIfAbsent(data + "\u0000" + name, k -> DatasetFolder.read(Path.of(data), name));
    }

    /** Samples [from, to) of a split, with their rows of the mask (or the shared mask). */
    static DatasetSplit slice(DatasetSplit split, int from, int to) {
        int[] rows = IntStream.range(from, to).toArray();
        boolean perSample = split.mask() != null && SpuriousMasks.perSample(split);
        return new DatasetSplit(split.x().rows(rows), split.y().rows(rows),
                split.mask() == null ? null : perSample ? split.mask().rows(rows) : split.mask());
    }

    /** Forgets the splits read (a driver that runs many jobs need not keep them all). */
    static void clear() {
        READ.clear();
    }
}
