package io.candor.cli;

import io.candor.interop.CandorException;
import io.candor.interop.onnx.Node;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code candor finetune}: repairs a trained model by training what lies after a cut, with a penalty. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Fine-tunes a trained model: everything up to --cut stays frozen as it is (weights, BatchNorm",
            "statistics, evaluation mode) and the layers after it train on the dataset, with an explanation",
            "penalty (--penalty cdep --lambda L) on what the data marks spurious (mask.npy, --masks, --spurious-words).", "",
            "Writes FIXED.onnx (the input graph with its initializers replaced, nothing else changed),",
            "FIXED.metrics.json (objective, penalty, accuracy per epoch) and FIXED.checkpoint.zip after every",
            "epoch (for --resume), then FIXED.report.html: the curves per epoch (loss, accuracy, penalty, bias",
            "score) and their table, with the command.", "",
            "The frozen prefix runs once: the cut tensor of every sample (and its decomposition, for CD penalties)",
            "is computed before the first epoch and the layers after the cut train from it (--cache DIR keeps it",
            "for later runs; --penalty rrr and eg run the prefix in every step: they differentiate through it).",
            "For data beyond one machine, candor cache prefix computes it on Spark and --prefix-shards trains from it."})
final class FinetuneCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "MODEL.onnx", description = "The trained model to repair.")
    Path model;

    @Option(names = "--cut", required = true, paramLabel = "TENSOR",
            description = {"Train only what lies after this tensor (a name from candor inspect); the model's input",
                "name trains everything."})
    String cut;

    @Mixin
    TrainingRun run;

    @Option(names = "--prefix-shards", paramLabel = "SHARDS",
            description = {"Train from the frozen prefix's values that candor cache prefix wrote on Spark (train and val),",
                "instead of --data: streamed a window of shards at a time (--shard-memory), for penalties none and",
                "cdep. They must come from this model and --cut (checked)."})
    java.nio.file.Path prefixShards;

    @Option(names = "--shard-memory", defaultValue = "4096", paramLabel = "MIB",
            description = {"With --prefix-shards: hold at most this many MiB of shards at once (default ${DEFAULT-VALUE}).",
                "When all fit, each epoch shuffles every sample, as training from --data does; otherwise it visits the",
                "shards in a shuffled order, a window at a time, and shuffles within the window."})
    long shardMemory;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        run.prefixShards = prefixShards;
        run.shardMemory = shardMemory << 20;
        OptionChecks.of(spec).positive("--shard-memory", shardMemory);
        run.check(spec);
        return run.run(spec, () -> {
            OnnxModel m = OnnxReader.read(model);
            m.graph().requireTensor(cut);
            String output = m.graph().outputs().get(0).name();
            Node last = m.graph().producer(output);
            if (!run.penalty.equals("none") && last != null && last.opType().endsWith("Softmax")) {
                throw new CandorException(model + " ends in " + last.opType() + "; CD penalties need logits: export the"
                        + " model without its final softmax");
            }
            return m;
        }, cut);
    }
}
