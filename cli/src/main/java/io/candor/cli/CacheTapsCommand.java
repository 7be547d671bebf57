package io.candor.cli;

import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.onnx.OnnxWriter;
import io.candor.interpreter.LstmTaps;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code candor cache taps}: the tap cache of {@code interpret}, on Spark, as shards. */
@Command(name = "taps", mixinStandardHelpOptions = true,
        description = {"Computes the tap cache of candor interpret on Spark: for every sample of the splits, the tapped",
            "hidden tensors, the model's logits and what the decoder reconstructs, as interpret computes them. Then:",
            "  candor interpret --model M.onnx --data DIR --taps T1,T2 --tap-shards SHARDS --out OUT",
            "reads them instead of running the model (a split of concept samples needs its own: add it to --splits)."})
final class CacheTapsCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "MODEL.onnx", description = "The model to interpret.")
    java.nio.file.Path model;

    @Option(names = "--taps", required = true, split = ",", paramLabel = "TENSOR",
            description = "The hidden tensors interpret will read (as for interpret --taps).")
    List<String> taps;

    @Option(names = "--splits", split = ",", defaultValue = "train,test", paramLabel = "SPLIT",
            description = "The splits to cache (default ${DEFAULT-VALUE}: interpret trains on train and reports on test).")
    List<String> splits;

    @Mixin
    CacheOptions cache;

    @Spec
    CommandSpec spec;

    /** The model as the workers get it (and as interpret --tap-shards checks it): its protobuf's bytes. */
    static byte[] bytes(OnnxModel adapted) {
        return OnnxWriter.withInitializers(adapted, Map.of()).toByteArray();
    }

    @Override
    public Integer call() {
        return cache.run(spec, splits, jobs -> {
            OnnxModel given = OnnxReader.read(model);
            LstmTaps.Adapted adapted = LstmTaps.adapt(given, taps);
            return jobs.cacheTaps(cache.spark, bytes(adapted.model()), model.getFileName().toString(), cache.data, splits, adapted.taps(),
                    InterpretCommand.TAP_BATCH, cache.shardRows, cache.out);
        });
    }
}
