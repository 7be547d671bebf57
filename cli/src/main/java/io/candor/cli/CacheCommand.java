package io.candor.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code candor cache}: computes what a trainer would compute first, on Spark, as Parquet shards. */
@Command(name = "cache", mixinStandardHelpOptions = true,
        subcommands = {CachePrefixCommand.class, CacheTapsCommand.class},
        description = {"Computes, on Apache Spark, what a trainer computes before its first epoch, and writes it as",
            "Parquet shards that the trainer on one machine then reads instead:",
            "  prefix  the frozen prefix of candor finetune (finetune --prefix-shards streams it);",
            "  taps    the tap cache of candor interpret (interpret --tap-shards reads it).",
            "For datasets whose forward passes outgrow one machine (docs/spark.md)."})
final class CacheCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name what to cache: prefix or taps");
    }
}
