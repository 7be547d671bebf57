package io.candor.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code candor cache prefix}: the frozen prefix of {@code finetune}, on Spark, as shards. */
@Command(name = "prefix", mixinStandardHelpOptions = true,
        description = {"Computes the frozen prefix of candor finetune on Spark: for every sample of the splits, the cut",
            "tensor's value and, for the samples whose mask marks something, its contextual decomposition there",
            "(what CDEP starts from). The values are those finetune computes itself, to the bit. Then:",
            "  candor finetune --model M.onnx --cut TENSOR --prefix-shards SHARDS --penalty cdep --out FIXED.onnx",
            "trains from them without --data, holding at most --shard-memory of them at once."})
final class CachePrefixCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "MODEL.onnx", description = "The model to be fine-tuned.")
    java.nio.file.Path model;

    @Option(names = "--cut", required = true, paramLabel = "TENSOR", description = "The tensor finetune will cut at.")
    String cut;

    @Option(names = "--splits", split = ",", defaultValue = "train,val", paramLabel = "SPLIT",
            description = "The splits to cache (default ${DEFAULT-VALUE}: finetune trains on train and validates on val).")
    List<String> splits;

    @Option(names = "--no-decompose", negatable = false,
            description = "Leave out the decomposition (for fine-tuning without a CD penalty; halves the shards).")
    boolean noDecompose;

    @Mixin
    CacheOptions cache;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return cache.run(spec, splits,
                jobs -> jobs.cachePrefix(cache.spark, model, cache.data, splits, cut, !noDecompose, cache.shardRows, cache.out));
    }
}
