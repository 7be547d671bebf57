package io.candor.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** What the {@code cache} commands share: the data, the splits, the shards' size, the cluster and where to write. */
final class CacheOptions {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "A dataset folder (candor data make writes them).")
    Path data;

    @Option(names = "--shard-rows", defaultValue = "8192", paramLabel = "N",
            description = "About this many samples per shard, a Parquet file each (default ${DEFAULT-VALUE}).")
    int shardRows;

    @Option(names = "--spark", arity = "0..1", defaultValue = "local[2]", fallbackValue = "local[2]", paramLabel = "MASTER",
            description = {"The Spark master (default ${DEFAULT-VALUE}; spark://HOST:PORT, yarn, k8s://...). The workers read",
                "--data where it lies: on a cluster, a folder every worker sees (docs/spark.md)."})
    String spark;

    @Option(names = "--out", required = true, paramLabel = "SHARDS",
            description = {"A new folder: a folder of Parquet shards per split, and about.json, written last, saying what",
                "they hold (a folder without it is an interrupted write)."})
    Path out;

    /** Checks the options, runs {@code job} on Spark and says what it wrote: the samples per split. */
    int run(CommandSpec spec, List<String> splits, java.util.function.Function<SparkJobs, java.util.Map<String, Long>> job) {
        OptionChecks.of(spec).positive("--shard-rows", shardRows).require(!splits.isEmpty(), "--splits names no split");
        long start = System.nanoTime();
        java.util.Map<String, Long> written = job.apply(SparkJobs.load());
        java.io.PrintWriter pw = spec.commandLine().getOut();
        written.forEach((split, n) -> pw.printf("%s: %d samples in %s%n", split, n, out.resolve(split)));
        pw.printf("wrote %s in %d s%n", out.resolve("about.json"), (System.nanoTime() - start) / 1_000_000_000L);
        return 0;
    }
}
