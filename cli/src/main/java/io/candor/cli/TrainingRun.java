package io.candor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.candor.finetune.Checkpoint;
import io.candor.finetune.FrozenPrefix;
import io.candor.finetune.InputBatches;
import io.candor.finetune.PrefixShards;
import io.candor.finetune.ShardedBatches;
import io.candor.finetune.Objective;
import io.candor.finetune.Trainer;
import io.candor.finetune.TrainingConfig;
import io.candor.finetune.TrainingData;
import io.candor.finetune.TrainingState;
import io.candor.finetune.clarc.ConceptDirection;
import io.candor.finetune.penalty.CdepPixels;
import io.candor.finetune.penalty.ExpectedGradients;
import io.candor.finetune.penalty.OutputPenalty;
import io.candor.finetune.penalty.Penalty;
import io.candor.finetune.penalty.RrClarc;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.onnx.OnnxWriter;
import io.candor.models.data.DatasetSplit;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options and the run that {@code candor train} and {@code candor finetune} share: data, objective,
 * optimizer, schedule, outputs (the model, its metrics and a checkpoint after every epoch) and --resume.
 */
final class TrainingRun {
    @Option(names = "--data", paramLabel = "DIR",
            description = {"The training data: " + TrainingDataOptions.LAYOUTS + ". Spurious regions: mask.npy,",
                "--masks or --spurious-words."})
    Path data;

    @Mixin
    TrainingDataOptions dataOptions;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Mini-batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.001", description = "Learning rate (default ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "adam|sgd", description = "Optimizer (default ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default ${DEFAULT-VALUE}).")
    float momentum;

    @Option(names = "--weight-decay", defaultValue = "0.0001", description = "L2 weight decay (default ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--patience", defaultValue = "2", description = "Stop after this many epochs without a better validation loss; 0 never stops (default ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--penalty", defaultValue = "none", paramLabel = "none|cdep|rrr|eg|rr-clarc",
            description = {"An explanation penalty added to the cross-entropy (default ${DEFAULT-VALUE}), on what the data",
                "marks spurious. cdep: the share contextual decomposition gives the marked region of every logit,",
                "averaged over the marked samples (for token ids: -log of the other tokens' share of the true",
                "class's logit). rrr: the summed squares of the cross-entropy's input gradient there (summed over",
                "channels first). eg: Expected Gradients of each marked image's label probability, with references",
                "from the batch, summed there (slow: K extra passes per image). rr-clarc (finetune): the squared",
                "gradient of each sample's true-class logit at the cut along the artifact's concept activation",
                "vector, which --concept names; no masks needed."})
    String penalty;

    @Option(names = "--concept", paramLabel = "NAME",
            description = {"--penalty rr-clarc: the concept of the data folder's concepts split (its 'concepts' split",
                "where there is one, else train) that marks the artifact; its direction at the cut is penalised."})
    String concept;

    @Option(names = "--cav", defaultValue = "signal", paramLabel = "signal|svm",
            description = "--penalty rr-clarc: how to find the artifact's direction (default ${DEFAULT-VALUE}; see candor clarc).")
    String cav;

    @Option(names = "--lambda", paramLabel = "L",
            description = {"The penalty's weight. Default: CDEP 1000 on images and 1 on token ids, RRR 1000, EG 10 (from",
                "Candor's benchmarks). CDEP's image penalty lies in [0, 1] while the cross-entropy starts near",
                "ln(classes): compare the two in MODEL.metrics.json (docs/finetune.md, \"Choosing lambda\")."})
    Float lambda;

    @Option(names = "--eg-references", paramLabel = "K",
            description = "With --penalty eg: references per image (default " + Penalty.EG_REFERENCES
                    + ", the CDEP code's for DecoyMNIST).")
    Integer egReferences;

    @Option(names = "--cdep-pixels", paramLabel = "K",
            description = {"With --penalty cdep and data without masks: CDEP's ColorMNIST protocol, for a bias with no",
                "place (a colour). Each batch draws K single pixels (all channels), in proportion to how often a",
                "training image has ink there, and sums their CDEP terms (the reference uses 8)."})
    Integer cdepPixels;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initialisation and the shuffling (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "MODEL.onnx", description = "Where to write the trained model.")
    Path out;

    @Option(names = "--cache", paramLabel = "DIR",
            description = {"With --cut: also keep the frozen prefix's values (the cut tensor of every sample and, for",
                "CD penalties, its decomposition) as .npy files under DIR, and reuse them in later runs with the",
                "same model, data and cut. Without it they are computed once per run and held in memory."})
    Path cache;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|gpu",
            description = {"Where to train (default ${DEFAULT-VALUE}: a GPU when DJL finds a CUDA libtorch, built with",
                "mvn -Pgpu, else the CPU). gpu without one is an error."})
    String device;

    @Option(names = "--resume", description = {"Continue from MODEL.checkpoint.zip after its last epoch, up to --epochs; the",
        "same run as without the stop (give the same options)."})
    boolean resume;

    /**
     * The frozen prefix's values of the train and val splits as shards written on Spark (finetune
     * --prefix-shards), which stand for --data; null to read --data.
     */
    Path prefixShards;

    /** Bytes of shards held at once when training from {@link #prefixShards}. */
    long shardMemory;

    /** Checks the values up front (usage errors, exit 2). */
    void check(CommandSpec spec) {
        OptionChecks.of(spec).require(data != null || prefixShards != null, "--data is required")
                .require(data == null || prefixShards == null, "give --data or --prefix-shards, not both: the shards stand for the data")
                .positive("--epochs", epochs).positive("--batch", batch).positive("--lr", lr)
                .oneOf("--optimizer", optimizer, io.candor.finetune.Optimizer.NAMES).nonNegative("--momentum", momentum)
                .below("--momentum", momentum, 1).nonNegative("--weight-decay", weightDecay)
                .nonNegative("--patience", patience).onlyWhen("--momentum", optimizer.equals("sgd"), "--optimizer sgd")
                .oneOf("--device", device, io.candor.interop.exec.Engines.DEVICES)
                .oneOf("--penalty", penalty, Penalty.NAMES)
                .onlyWhen("--lambda", !penalty.equals("none"), "training with a --penalty")
                .nonNegative("--lambda", lambda == null ? 0 : lambda)
                .onlyWhen("--eg-references", penalty.equals("eg"), "--penalty eg")
                .onlyWhen("--concept", penalty.equals("rr-clarc"), "--penalty rr-clarc")
                .onlyWhen("--cav", penalty.equals("rr-clarc"), "--penalty rr-clarc")
                .oneOf("--cav", cav, List.of(ConceptDirection.SIGNAL, ConceptDirection.SVM))
                .onlyWhen("--cdep-pixels", penalty.equals("cdep"), "--penalty cdep")
                .positive("--cdep-pixels", cdepPixels == null ? 1 : cdepPixels)
                .positive("--eg-references", egReferences == null ? 1 : egReferences);
    }

    /**
     * The frozen prefix that stands in for the input (every path to the output passes through the cut),
     * or null when there is none or it cannot, after saying why on {@code pw}.
     */
    private FrozenPrefix prefix(Executor executor, String cut, Objective objective, PrintWriter pw) {
        if (cut == null || executor.graph().isInput(cut)) {
            return null;
        }
        String reason = objective.penalty() != null && objective.penalty().needsInput()
                ? (cdepPixels != null ? "--cdep-pixels marks pixels of the input in every step"
                        : "--penalty " + penalty + " takes the gradient with respect to the input, through the prefix")
                : FrozenPrefix.whyNot(executor, cut);
        if (reason != null) {
            pw.println("note: the frozen prefix runs in every step: " + reason);
            return null;
        }
        return new FrozenPrefix(executor, cut, cache, pw::println);
    }

    /** RR-ClArC at the cut, its direction from the concept's samples at the cut of the starting model. */
    private Penalty rrClarc(CommandSpec spec, OnnxModel start, String cut) {
        if (concept == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--penalty rr-clarc needs --concept NAME");
        }
        if (cut == null || start.graph().isInput(cut)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--penalty rr-clarc penalises the gradient"
                    + " at a hidden tensor: give it as --cut");
        }
        ConceptActivations activations = ConceptActivations.of(start, data, null, cut, concept);
        ConceptDirection direction = activations.direction(cav);
        spec.commandLine().getOut().printf(java.util.Locale.ROOT, "CAV (%s) at %s from %d samples of %s (%d with %s):"
                + " held-out probe accuracy %.3f%n", cav, cut, activations.rows().length, activations.split(),
                activations.withArtifact(), concept, direction.probeAccuracy());
        return new RrClarc(direction.v());
    }

    private Penalty pixelProtocol(DatasetSplit train) {
        long[] shape = train.x().shape();
        return new CdepPixels(CdepPixels.inkFrequency(train.x()), shape[shape.length - 2], shape[shape.length - 1],
                cdepPixels, seed);
    }

    /** A split as training sees it: from stored shards, from the prefix's values computed once, or from the input. */
    private TrainingData served(Executor executor, FrozenPrefix prefix, Served served, String name, Objective objective,
            PrintWriter log) {
        if (served.shards() != null) {
            PrefixShards shards = served.shards().get(name);
            ShardedBatches streamed = new ShardedBatches(shards, batch, shardMemory);
            log.printf("frozen prefix: '%s' of %d %s samples from %d shards in %s, %s%n", shards.cut(), streamed.rows(), name,
                    shards.count(), prefixShards.resolve(name), streamed.window() >= shards.count() ? "all held in memory"
                    : "streamed " + streamed.window() + " at a time (--shard-memory)");
            return streamed;
        }
        DatasetSplit split = name.equals("train") ? served.train() : served.val();
        return prefix != null ? prefix.batches(split, name, objective.penalty() instanceof OutputPenalty, batch)
                : new InputBatches(split, executor.singleInput(), batch);
    }

    /**
     * What training reads: the train and val splits of --data, or the frozen prefix's values of each
     * as shards ({@code shards}, by split name; then the splits are null).
     */
    private record Served(DatasetSplit train, DatasetSplit val, java.util.Map<String, PrefixShards> shards, boolean tokenInputs) {
        static Served fromData(CommandSpec spec, TrainingRun run, TrainingDataOptions.Splits splits) {
            DatasetSplit train = splits.train();
            DatasetSplit val = splits.val();
            if (train.size() == 0 || val.size() == 0) {
                throw new CandorException(run.data + ": the train and val splits must hold at least one sample each");
            }
            if (run.cdepPixels != null && (train.mask() != null || !train.x().type().isFloating())) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--cdep-pixels is for images without"
                        + " masks; " + (train.mask() != null ? "this data marks its spurious regions: leave --cdep-pixels out"
                        : "these inputs are token ids"));
            }
            if (!run.penalty.equals("none") && !run.penalty.equals("rr-clarc") && train.mask() == null && run.cdepPixels == null) {
                throw new CandorException(run.data.resolve("train") + " marks nothing spurious: --penalty " + run.penalty
                        + " needs the spurious regions marked (mask.npy in a dataset folder, --masks for image folders,"
                        + " --spurious-words for TSV text, or --cdep-pixels for a bias with no place, such as a colour)");
            }
            return new Served(train, val, null, train.x().type() == io.candor.interop.tensor.DataType.INT64);
        }

        static Served fromShards(CommandSpec spec, TrainingRun run, OnnxModel start, String cut) {
            if (!List.of("none", "cdep").contains(run.penalty) || run.cdepPixels != null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--prefix-shards holds the values at the"
                        + " cut, which serve --penalty none and cdep; --penalty " + run.penalty
                        + (run.cdepPixels != null ? " with --cdep-pixels" : "") + " reads the input: give --data");
            }
            SparkJobs jobs = SparkJobs.load();
            java.util.Map<String, PrefixShards> shards = new java.util.LinkedHashMap<>();
            for (String split : List.of("train", "val")) {
                PrefixShards s = jobs.prefixShards(run.prefixShards, split);
                long rows = java.util.stream.IntStream.range(0, s.count()).mapToLong(s::rows).sum();
                if (rows == 0) {
                    throw new CandorException(run.prefixShards.resolve(split) + " holds no samples: the train and val splits"
                            + " must hold at least one each");
                }
                if (!s.cut().equals(cut)) {
                    throw new CandorException(run.prefixShards + " holds the values at '" + s.cut() + "', not at --cut " + cut);
                }
                if (split.equals("train") && run.penalty.equals("cdep") && !s.decomposed()) {
                    throw new CandorException(run.prefixShards.resolve(split) + " was cached without the decomposition (no"
                            + " sample marked, or --no-decompose): --penalty cdep needs it");
                }
                shards.put(split, s);
            }
            return new Served(null, null, shards, shards.get("train").tokenInputs());
        }

        /** Shards stand in for a prefix only if that very prefix (nodes, weights, cut) computed them. */
        void requireFrom(Executor executor, String cut) {
            FrozenPrefix prefix = new FrozenPrefix(executor, cut, null, line -> { });
            String key = shards.get("train").prefixKey();
            if (!prefix.prefixKey().equals(key)) {
                throw new CandorException("the prefix shards were computed from another model or cut (prefix key "
                        + key.substring(0, Math.min(12, key.length())) + "..., this model's up to '" + cut + "' is " + prefix.prefixKey().substring(0, 12)
                        + "...): cache them again with candor cache prefix");
            }
        }
    }

    /**
     * Trains from {@code fresh} (or from the checkpoint with --resume) with everything up to {@code cut}
     * frozen ({@code null}: every weight trains), writing the best epoch's model to --out.
     */
    int run(CommandSpec spec, Supplier<OnnxModel> fresh, String cut) {
        Path metricsFile = TrainCommand.sibling(out, ".metrics.json");
        Path checkpointFile = TrainCommand.sibling(out, ".checkpoint.zip");
        Checkpoint resumed = resume ? Checkpoint.read(checkpointFile) : null;
        TrainingState state = resumed == null ? null : resumed.state();
        OnnxModel start = resumed != null ? resumed.model() : fresh.get();
        Served served = prefixShards != null ? Served.fromShards(spec, this, start, cut)
                : Served.fromData(spec, this, dataOptions.read(data, start));
        DatasetSplit train = served.train();
        boolean clarc = penalty.equals("rr-clarc");
        Penalty chosen = penalty.equals("eg") && egReferences != null ? new ExpectedGradients(egReferences)
                : cdepPixels != null ? pixelProtocol(train) : clarc ? rrClarc(spec, start, cut) : Penalty.named(penalty);
        float weight = lambda != null ? lambda : Penalty.defaultLambda(penalty, served.tokenInputs());
        if (lambda == null && chosen != null) {
            spec.commandLine().getOut().printf("lambda %s (the default for --penalty %s on this input; see --lambda)%n",
                    OptionChecks.plain(weight), penalty);
        }
        Objective objective = new Objective(chosen, weight);
        TrainingConfig config = new TrainingConfig(epochs, batch, lr, optimizer, momentum, weightDecay, seed, patience, cut, null);
        PrintWriter pw = spec.commandLine().getOut();
        ai.djl.Device on = io.candor.interop.exec.Engines.useDevice(device);
        pw.println("training on the " + (on.isGpu() ? "GPU " + on.getDeviceId() : "CPU"));
        if (state != null && (state.epoch() >= epochs || (patience > 0 && state.sinceBest() >= patience))) {
            // Nothing left to train; the best epoch is still written to --out below.
            pw.printf("%s holds %d epochs and the run is over (raise --epochs, or --patience, to go on)%n",
                    checkpointFile, state.epoch());
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        java.util.concurrent.atomic.AtomicReference<java.util.List<io.candor.finetune.EpochMetrics>> history =
                new java.util.concurrent.atomic.AtomicReference<>(state == null ? java.util.List.of() : state.history());
        try (Executor executor = Executor.of(start); Trainer trainer = new Trainer(executor, config, objective)) {
            if (served.shards() != null) {
                served.requireFrom(executor, cut);
            }
            FrozenPrefix prefix = served.shards() == null ? prefix(executor, cut, objective, pw) : null;
            try (TrainingData trainData = served(executor, prefix, served, "train", objective, pw);
                    TrainingData valData = served(executor, prefix, served, "val", objective, pw)) {
                trainer.train(trainData, valData, state, new TrainingProgress(pw, (m, now) -> {
                    // One file holds weights, optimizer moments, patience and metrics: they cannot disagree.
                    OnnxModel current = OnnxReader.fromProto(OnnxWriter.withInitializers(start, executor.initializerValues()), null);
                    TrainingState s = now.get();
                    history.set(s.history());
                    new Checkpoint(current, s).write(checkpointFile);
                    try {
                        AtomicFiles.writeString(metricsFile, json.writeValueAsString(s.history()));
                    } catch (java.io.IOException e) {
                        throw new CandorException("cannot write " + metricsFile + ": " + e.getMessage(), e);
                    }
                }));
                OnnxWriter.write(start, executor.initializerValues(), out);
            }
        }
        Path reportFile = TrainCommand.sibling(out, ".report.html");
        TrainingReport.write(reportFile, spec.qualifiedName() + ": " + out.getFileName(), history.get(), CommandText.of(spec));
        pw.printf("wrote %s (best validation epoch), %s, %s and %s%n", out, metricsFile.getFileName(), checkpointFile.getFileName(),
                reportFile.getFileName());
        return 0;
    }
}
