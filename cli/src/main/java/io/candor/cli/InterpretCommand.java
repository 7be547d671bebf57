package io.candor.cli;

import io.candor.finetune.Optimizer;
import io.candor.finetune.TrainingConfig;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.onnx.OnnxWriter;
import io.candor.interpreter.Dictionary;
import io.candor.interpreter.FlintTrainer;
import io.candor.interpreter.InterpreterGraft;
import io.candor.interpreter.InterpreterGraph;
import io.candor.interpreter.LossSchedule;
import io.candor.interpreter.LstmTaps;
import io.candor.interpreter.MeanEmbedding;
import io.candor.interpreter.TapCache;
import io.candor.models.data.Concepts;
import io.candor.models.data.DatasetFolder;
import io.candor.models.data.DatasetSplit;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code candor interpret}: learns FLINT's attribute dictionary on a frozen model, post hoc. */
@Command(name = "interpret", mixinStandardHelpOptions = true, subcommands = {InterpretExplainCommand.class, InterpretCompareCommand.class},
        customSynopsis = {"candor interpret --model MODEL.onnx --data DIR --taps TENSOR[,TENSOR...]",
            "                        --out DIR [OPTIONS]",
            "       candor interpret explain --interpreter OUT --input X.npy --out DIR",
            "                                [--top K]",
            "       candor interpret compare --interpreter OUT --model M.onnx [--model ...]",
            "                                --data DIR --out FILE.json"},
        description = {"Learns a small dictionary of high-level attributes from a hidden tensor of a trained model",
            "(FLINT, post hoc): an attribute network Psi on the tap, a linear head h on the attributes that mimics",
            "the model, and a decoder that reconstructs the input, trained on the tap values computed once.", "",
            "Writes OUT/interpreter.onnx (input: the tap; outputs: attributes, interpreter_logits, reconstruction),",
            "OUT/model_interpreted.onnx (the model with the interpreter grafted on at the tap: its inputs and",
            "outputs unchanged, plus the interpreter's three) and OUT/dictionary.json: the taps, J, the loss weights, per-epoch losses, and on the test split the",
            "accuracy of f and g, fidelity (argmax g = argmax f), top-5 fidelity, conciseness CN_tau, the class x",
            "attribute relevance r_{c,j}, the relevant pairs (r > 0.1) and each attribute's MAX samples (test row",
            "ids) and, with --concepts, each concept's attribute, test ROC AUC and weight per class.", "",
            "OUT/pictures/: per attribute its MAX samples, their input attributions dPhi/dx and an activation-",
            "maximised image; relevance.png, the class x attribute relevance. Where the test split has a mask,",
            "dictionary.json's biasExposure names the attribute whose attribution falls most inside it.",
            "OUT/report.html puts it all on one page (no network needed).", "",
            "--model, --data, --taps and --out are required. 'candor interpret explain'",
            "(see its --help) explains single predictions with a dictionary written here;",
            "'candor interpret compare' how other models (a repaired one, say) use its attributes."})
final class InterpretCommand implements Callable<Integer> {
    /** One in this many rows of a concept split is held out to measure the concepts on. */
    private static final int HELD_OUT = 5;
    /** Samples per pass when caching the taps, here and on Spark (candor cache taps), so the values agree. */
    static final int TAP_BATCH = 256;

    @Option(names = "--model", paramLabel = "MODEL.onnx", description = "The trained model (frozen). Required.")
    Path model;

    @Option(names = "--data", paramLabel = "DIR", description = "A dataset folder: trains on train, measures on test. Required.")
    Path data;

    @Option(names = "--taps", split = ",", paramLabel = "TENSOR",
            description = {"The hidden tensors the attributes read (names from candor inspect), comma-separated:",
                "feature maps [C, H, W] or vectors [D]; several are brought to one size and concatenated. Required."})
    java.util.List<String> taps;

    @Option(names = "--concepts", paramLabel = "FILE.npy",
            description = {"Binary concept labels (N x K, 0/1) of a split of --data, with their names in FILE.json beside",
                "it ({\"names\": [...]}); binds attribute k to concept k for k < K with a binary cross-entropy. The",
                "split is the folder FILE lies in (a file elsewhere labels train); a split other than train joins",
                "the training data, its rows the only ones labelled. The generators write concepts.npy in every",
                "split, and a split 'concepts' where the spurious feature varies apart from the class (in train it",
                "is confounded with it, so an attribute bound there cannot tell them apart). Each concept's ROC AUC",
                "is measured on the test split's own concepts.npy when its names are the same."})
    Path concepts;

    @Option(names = "--attributes", defaultValue = "25", paramLabel = "J", description = "Attributes J (default ${DEFAULT-VALUE}, FLINT's for MNIST).")
    int attributes;

    @Option(names = "--epochs", defaultValue = "12", description = "Epochs (default ${DEFAULT-VALUE}, FLINT's).")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Mini-batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam's learning rate (default ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--loss-weights", paramLabel = "of=..,if=..,cd=..,l1=..,co=..",
            description = {"Loss weights, each with an optional warm-up (TERM=W@K: active after epoch K). Default FLINT's",
                "MNIST schedule: of=0.5@2, if=0.8@0, cd=0.2@4, l1=0.1@2 (token ids: their mean embedding is",
                "reconstructed; a model without an embedding table gets of=0.5@0, cd=0.2@2, l1=0.1@0, nothing to",
                "reconstruct). With --concepts, co=1@0 binds them."})
    String lossWeights;

    @Option(names = "--picture-steps", defaultValue = "6x50", paramLabel = "ROUNDSxSTEPS",
            description = {"Activation maximisation per attribute picture: rounds x Adam steps, the learning rate halved",
                "each round (default ${DEFAULT-VALUE}, FLINT's notebook); 0x0 shows the start, 0.3 x the top MAX sample."})
    String pictureSteps;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initialisation and shuffling (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--tap-shards", paramLabel = "SHARDS",
            description = {"Read the taps, logits and decoder targets from the Parquet shards candor cache taps wrote (on",
                "Spark) instead of running the model over the splits; the data folder still gives the concept labels",
                "and the pictures."})
    Path tapShards;

    @Option(names = "--out", paramLabel = "DIR", description = "The folder to write. Required.")
    Path out;

    @Spec
    CommandSpec spec;

    /** A split's taps as candor cache taps wrote them, checked against the split they stand for. */
    private TapCache fromShards(String name, DatasetSplit split, OnnxModel explained, java.util.List<String> tapped) {
        TapCache read = SparkJobs.load().tapShards(tapShards, name, CacheTapsCommand.bytes(explained), tapped);
        if (read.size() != split.size() || !Arrays.equals(read.labels(), split.labels())) {
            throw new CandorException(tapShards.resolve(name) + " holds " + read.size() + " samples whose labels are not those of "
                    + data.resolve(name) + " (" + split.size() + " samples): the shards were cached from other data");
        }
        return split.concepts() == null ? read : read.withConcepts(split.concepts());
    }

    @Override
    public Integer call() throws IOException {
        requireOptions();
        OptionChecks.of(spec).positive("--attributes", attributes).positive("--epochs", epochs).positive("--batch", batch)
                .positive("--lr", lr);
        steps(); // a bad --picture-steps is a usage error before any work
        PrintWriter pw = spec.commandLine().getOut();
        OnnxModel given = OnnxReader.read(model);
        LstmTaps.Adapted adapted = LstmTaps.adapt(given, taps);
        OnnxModel explained = adapted.model();
        java.util.List<String> tapped = adapted.taps(); // an LSTM's Y or Y_h is read at its last step, batch first
        DatasetSplit train = DatasetFolder.read(data, "train");
        DatasetSplit test = DatasetFolder.read(data, "test");
        Concepts bound = concepts == null ? null : Concepts.read(concepts);
        String conceptSplit = bound == null ? null : splitOf(concepts);
        DatasetSplit conceptSamples = conceptSplit == null || conceptSplit.equals("train") ? train
                : DatasetFolder.read(data, conceptSplit);
        if (bound != null) {
            if (bound.size() != conceptSamples.size()) {
                throw new CandorException(concepts + " has " + bound.size() + " rows but " + data.resolve(conceptSplit) + " has "
                        + conceptSamples.size() + " samples: the concept labels must be that split's, row for row");
            }
            if (bound.names().size() > attributes) {
                throw new CandorException(bound.names().size() + " concepts " + bound.names() + " need at least as many"
                        + " attributes, but --attributes is " + attributes);
            }
        }
        // Token ids are reconstructed as their mean embedding where the model has an embedding table.
        boolean nothingToReconstruct = !train.x().type().isFloating()
                && MeanEmbedding.table(explained.graph(), explained.graph().inputs().get(0).name()) == null;
        LossSchedule schedule = schedule(nothingToReconstruct, bound != null);
        for (String name : InterpreterGraph.OUTPUTS) {
            if (explained.graph().hasTensor(name)) {
                throw new CandorException(model + " already has a tensor named '" + name + "' (is it an interpreted"
                        + " model?): interpret the original model");
            }
        }
        TapCache trainTaps;
        TapCache testTaps;
        TapCache conceptsHeldOut = null;
        long start = System.nanoTime();
        try (Executor f = Executor.of(explained)) {
            java.util.function.BiFunction<String, DatasetSplit, TapCache> cached = tapShards == null
                    ? (name, split) -> TapCache.compute(f, split, tapped, TAP_BATCH)
                    : (name, split) -> fromShards(name, split, explained, tapped);
            trainTaps = cached.apply("train", train).withConcepts(train == conceptSamples ? bound : null);
            if (bound != null && train != conceptSamples) {
                TapCache labelled = cached.apply(conceptSplit, conceptSamples).withConcepts(bound);
                int fit = labelled.size() - labelled.size() / HELD_OUT;
                trainTaps = trainTaps.join(labelled.rows(0, fit));
                conceptsHeldOut = labelled.rows(fit, labelled.size());
                pw.printf("binding %s on %d samples of %s, which join the training data (%d more held out)%n", bound.names(),
                        fit, data.resolve(conceptSplit), conceptsHeldOut.size());
            }
            testTaps = cached.apply("test", test);
        }
        if (bound != null) {
            Concepts own = testTaps.concepts();
            testTaps = testTaps.withConcepts(own != null && own.names().equals(bound.names()) ? own : null);
        }
        StringBuilder shapes = new StringBuilder();
        trainTaps.sampleShapes().forEach((name, shape) -> shapes.append(shapes.length() == 0 ? "" : ", ").append(name)
                .append(' ').append(Arrays.toString(shape)));
        pw.printf(java.util.Locale.ROOT, "cached tap%s %s for %d + %d samples (%.1f s)%n", taps.size() > 1 ? "s" : "", shapes, trainTaps.size(), testTaps.size(),
                (System.nanoTime() - start) / 1e9);
        long[] xs = trainTaps.inputs().shape();
        int conceptCount = bound == null ? 0 : bound.names().size();
        OnnxModel graph = OnnxReader.fromProto(InterpreterGraph.build(trainTaps.sampleShapes(), attributes, conceptCount,
                (int) trainTaps.logits().shape()[1], Arrays.copyOfRange(xs, 1, xs.length), seed), null);
        Map<String, Object> dictionary = new LinkedHashMap<>();
        dictionary.put("model", model.toString());
        dictionary.put("taps", tapped);
        dictionary.put("attributes", attributes);
        dictionary.put("lossWeights", schedule.toString());
        if (bound != null) {
            dictionary.put("conceptLabels", Map.of("train", concepts.toString(), "test", testTaps.concepts() == null
                    ? "none (the test split has no concepts.npy with the same names): no AUC" : data.resolve("test").resolve(Concepts.FILE).toString()));
        }
        java.util.List<Map<String, Double>> history = new java.util.ArrayList<>();
        TrainingConfig adam = new TrainingConfig(epochs, batch, lr, "adam", 0f, 0f, seed, 0, null, null);
        OnnxModel mergedModel;
        try (Executor interpreter = Executor.of(graph);
                FlintTrainer trainer = new FlintTrainer(interpreter, schedule, Optimizer.of(adam), batch)) {
            for (int epoch = 1; epoch <= epochs; epoch++) {
                long t0 = System.nanoTime();
                Map<String, Double> losses = trainer.epoch(trainTaps, epoch, new Random(seed * 1_000_003L + epoch));
                history.add(losses);
                pw.printf(java.util.Locale.ROOT, "  epoch %d: %s (%.1f s)%n", epoch, format(losses), (System.nanoTime() - t0) / 1e9);
                pw.flush();
            }
            dictionary.put("epochs", history);
            dictionary.putAll(Dictionary.measure(interpreter, testTaps));
            if (conceptsHeldOut != null && conceptsHeldOut.size() > 0) {
                // The concept split's held-out rows: there the concept varies apart from the class.
                dictionary.put("conceptsHeldOut", Dictionary.measure(interpreter, conceptsHeldOut).get("concepts"));
            }
            var trained = OnnxWriter.withInitializers(graph, interpreter.initializerValues());
            var merged = InterpreterGraft.attach(explained, trained);
            Files.createDirectories(out);
            OnnxWriter.write(trained, out.resolve("interpreter.onnx"));
            OnnxWriter.write(merged, out.resolve("model_interpreted.onnx"));
            mergedModel = OnnxReader.fromProto(merged, null);
        }
        DictionaryFiles.write(pw, out, mergedModel, train, test, dictionary, steps(), CommandText.of(spec));
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) dictionary.get("metrics");
        pw.printf("test: accuracy f %.4f, g %.4f, fidelity %.4f, CN_1.5 %.2f%n", m.get("accuracyF"), m.get("accuracyG"),
                m.get("fidelity"), ((Map<?, ?>) m.get("conciseness")).get("1.5"));
        if (dictionary.get("concepts") instanceof java.util.List<?> list) {
            java.util.List<?> held = dictionary.get("conceptsHeldOut") instanceof java.util.List<?> h ? h : null;
            for (int k = 0; k < list.size(); k++) {
                Map<?, ?> c = (Map<?, ?>) list.get(k);
                pw.printf(java.util.Locale.ROOT, "concept %s = attribute %s: test AUC %s, weight per class %s (mean |w| %.3f)%n",
                        c.get("name"), c.get("attribute"),
                        c.get("auc") == null ? "n/a" : String.format(java.util.Locale.ROOT, "%.3f", c.get("auc")),
                        rounded((double[]) c.get("weights")), c.get("meanAbsWeight"));
                if (held != null) {
                    Object auc = ((Map<?, ?>) held.get(k)).get("auc");
                    pw.printf(java.util.Locale.ROOT, "  and AUC %s on the concept split's held-out rows%n",
                            auc == null ? "n/a" : String.format(java.util.Locale.ROOT, "%.3f", auc));
                }
            }
        }
        pw.printf("wrote %s, %s and %s; open %s%n", out.resolve("interpreter.onnx"), out.resolve("model_interpreted.onnx"),
                out.resolve("dictionary.json"), out.resolve("report.html"));
        return 0;
    }

    /**
     * The options picocli cannot require itself: it would then demand them of {@code interpret explain}
     * too. Missing ones are the same usage error (exit code 2) picocli gives.
     */
    private void requireOptions() {
        java.util.List<String> missing = new java.util.ArrayList<>();
        if (model == null) {
            missing.add("'--model=MODEL.onnx'");
        }
        if (data == null) {
            missing.add("'--data=DIR'");
        }
        if (taps == null || taps.isEmpty()) {
            missing.add("'--taps=TENSOR'");
        }
        if (out == null) {
            missing.add("'--out=DIR'");
        }
        if (!missing.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required option"
                    + (missing.size() > 1 ? "s: " : ": ") + String.join(", ", missing));
        }
    }

    /**
     * FLINT's schedule (or the one for token inputs) with --loss-weights applied; a bad spec, or one
     * that leaves some epoch with nothing to train, is a usage error found before any work.
     */
    private LossSchedule schedule(boolean nothingToReconstruct, boolean withConcepts) {
        LossSchedule base = nothingToReconstruct ? LossSchedule.forTokens() : LossSchedule.flintMnist();
        LossSchedule schedule;
        try {
            schedule = lossWeights == null ? base : base.with(lossWeights);
        } catch (CandorException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        for (int epoch = 1; epoch <= epochs; epoch++) {
            final int e = epoch;
            boolean active = LossSchedule.TERMS.stream().anyMatch(t -> (!nothingToReconstruct || !t.equals("if"))
                    && (withConcepts || !t.equals("co")) && schedule.weight(t, e) > 0);
            if (!active) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--loss-weights: no loss term is active in"
                        + " epoch " + epoch + " (" + schedule + (nothingToReconstruct ? "; this token model has no embedding table to reconstruct" : "") + ")");
            }
        }
        return schedule;
    }

    /** --picture-steps as {rounds, steps}; a bad value is a usage error. */
    private int[] steps() {
        String[] parts = pictureSteps.toLowerCase(java.util.Locale.ROOT).split("x", -1);
        try {
            int[] v = {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
            if (parts.length == 2 && v[0] >= 0 && v[1] >= 0) {
                return v;
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            // reported below
        }
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--picture-steps: '" + pictureSteps
                + "' is not ROUNDSxSTEPS, such as 6x50");
    }

    /**
     * The split whose rows {@code file} labels: the folder it lies in when that is a split of --data,
     * else train. The test split is refused: it measures the concepts, it cannot teach them.
     */
    private String splitOf(Path file) {
        Path folder = file.toAbsolutePath().normalize().getParent();
        String split = folder.getParent() != null && folder.getParent().equals(data.toAbsolutePath().normalize())
                ? folder.getFileName().toString() : "train";
        if (split.equals("test")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--concepts: " + file + " labels the test"
                    + " split, on which the concepts are measured; bind them on train or on a split made for them");
        }
        return split;
    }

    private static String rounded(double[] v) {
        StringBuilder s = new StringBuilder("[");
        for (double x : v) {
            s.append(s.length() == 1 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.2f", x));
        }
        return s.append(']').toString();
    }

    /** "of 0.1234, if 0.5678, ...": an epoch's loss terms as interpret and joint training print them. */
    static String format(Map<String, Double> losses) {
        StringBuilder s = new StringBuilder();
        losses.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(' ')
                .append(String.format(java.util.Locale.ROOT, "%.4f", v)));
        return s.toString();
    }
}
