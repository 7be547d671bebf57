package io.candor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.candor.finetune.Optimizer;
import io.candor.finetune.TrainingConfig;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.onnx.GraphMerge;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.onnx.OnnxWriter;
import io.candor.interpreter.Dictionary;
import io.candor.interpreter.FlintTrainer;
import io.candor.interpreter.InterpreterGraph;
import io.candor.interpreter.LossSchedule;
import io.candor.interpreter.TapCache;
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
@Command(name = "interpret", mixinStandardHelpOptions = true,
        description = {"Learns a small dictionary of high-level attributes from a hidden tensor of a trained model",
            "(FLINT, post hoc): an attribute network Psi on the tap, a linear head h on the attributes that mimics",
            "the model, and a decoder that reconstructs the input, trained on the tap values computed once.", "",
            "Writes OUT/interpreter.onnx (input: the tap; outputs: attributes, interpreter_logits, reconstruction),",
            "OUT/model_interpreted.onnx (the model with the interpreter grafted on at the tap: its inputs and",
            "outputs unchanged, plus the interpreter's three) and OUT/dictionary.json: the taps, J, the loss weights, per-epoch losses, and on the test split the",
            "accuracy of f and g, fidelity (argmax g = argmax f), top-5 fidelity, conciseness CN_tau, the class x",
            "attribute relevance r_{c,j}, the relevant pairs (r > 0.1) and each attribute's MAX samples (test row",
            "ids). Still to come (issue #9): several taps, concepts, pictures, report.html."})
final class InterpretCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "MODEL.onnx", description = "The trained model (frozen).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "A dataset folder: trains on train, measures on test.")
    Path data;

    @Option(names = "--taps", required = true, paramLabel = "TENSOR",
            description = "The hidden tensor the attributes read (a name from candor inspect).")
    String tap;

    @Option(names = "--attributes", defaultValue = "25", paramLabel = "J", description = "Attributes J (default ${DEFAULT-VALUE}, FLINT's for MNIST).")
    int attributes;

    @Option(names = "--epochs", defaultValue = "12", description = "Epochs (default ${DEFAULT-VALUE}, FLINT's).")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Mini-batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam's learning rate (default ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--loss-weights", paramLabel = "of=..,if=..,cd=..,l1=..",
            description = {"Loss weights, each with an optional warm-up (TERM=W@K: active after epoch K). Default FLINT's",
                "MNIST schedule: of=0.5@2, if=0.8@0, cd=0.2@4, l1=0.1@2; for token inputs, which are not",
                "reconstructed: of=0.5@0, cd=0.2@2, l1=0.1@0."})
    String lossWeights;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initialisation and shuffling (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The folder to write.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        OptionChecks.of(spec).positive("--attributes", attributes).positive("--epochs", epochs).positive("--batch", batch)
                .positive("--lr", lr);
        PrintWriter pw = spec.commandLine().getOut();
        OnnxModel explained = OnnxReader.read(model);
        DatasetSplit train = DatasetFolder.read(data, "train");
        DatasetSplit test = DatasetFolder.read(data, "test");
        boolean tokens = !train.x().type().isFloating(); // the same rule FlintTrainer reconstructs by
        LossSchedule schedule = schedule(tokens);
        for (String name : InterpreterGraph.OUTPUTS) {
            if (explained.graph().hasTensor(name)) {
                throw new CandorException(model + " already has a tensor named '" + name + "' (is it an interpreted"
                        + " model?): interpret the original model");
            }
        }
        TapCache trainTaps;
        TapCache testTaps;
        long start = System.nanoTime();
        try (Executor f = Executor.of(explained)) {
            trainTaps = TapCache.compute(f, train, tap, 256);
            testTaps = TapCache.compute(f, test, tap, 256);
        }
        pw.printf(java.util.Locale.ROOT, "cached tap %s %s for %d + %d samples (%.1f s)%n", tap, Arrays.toString(trainTaps.sampleShape()),
                trainTaps.size(), testTaps.size(), (System.nanoTime() - start) / 1e9);
        long[] xs = train.x().shape();
        OnnxModel graph = OnnxReader.fromProto(InterpreterGraph.build(tap, trainTaps.sampleShape(), attributes,
                (int) trainTaps.logits().shape()[1], Arrays.copyOfRange(xs, 1, xs.length), seed), null);
        Map<String, Object> dictionary = new LinkedHashMap<>();
        dictionary.put("model", model.toString());
        dictionary.put("taps", java.util.List.of(tap));
        dictionary.put("attributes", attributes);
        dictionary.put("lossWeights", schedule.toString());
        java.util.List<Map<String, Double>> history = new java.util.ArrayList<>();
        TrainingConfig adam = new TrainingConfig(epochs, batch, lr, "adam", 0f, 0f, seed, 0, null, null);
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
            var trained = OnnxWriter.withInitializers(graph, interpreter.initializerValues());
            var merged = GraphMerge.attach(explained.proto(), trained, Map.of(tap, tap), "interpreter/");
            Files.createDirectories(out);
            OnnxWriter.write(trained, out.resolve("interpreter.onnx"));
            OnnxWriter.write(merged, out.resolve("model_interpreted.onnx"));
        }
        AtomicFiles.writeString(out.resolve("dictionary.json"),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(dictionary));
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) dictionary.get("metrics");
        pw.printf("test: accuracy f %.4f, g %.4f, fidelity %.4f, CN_1.5 %.2f%n", m.get("accuracyF"), m.get("accuracyG"),
                m.get("fidelity"), ((Map<?, ?>) m.get("conciseness")).get("1.5"));
        pw.printf("wrote %s, %s and %s%n", out.resolve("interpreter.onnx"), out.resolve("model_interpreted.onnx"),
                out.resolve("dictionary.json"));
        return 0;
    }

    /**
     * FLINT's schedule (or the one for token inputs) with --loss-weights applied; a bad spec, or one
     * that leaves some epoch with nothing to train, is a usage error found before any work.
     */
    private LossSchedule schedule(boolean tokens) {
        LossSchedule base = tokens ? LossSchedule.forTokens() : LossSchedule.flintMnist();
        LossSchedule schedule;
        try {
            schedule = lossWeights == null ? base : base.with(lossWeights);
        } catch (CandorException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        for (int epoch = 1; epoch <= epochs; epoch++) {
            final int e = epoch;
            boolean active = LossSchedule.TERMS.stream().anyMatch(t -> (!tokens || !t.equals("if")) && schedule.weight(t, e) > 0);
            if (!active) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--loss-weights: no loss term is active in"
                        + " epoch " + epoch + " (" + schedule + (tokens ? "; token inputs have no input fidelity" : "") + ")");
            }
        }
        return schedule;
    }

    private static String format(Map<String, Double> losses) {
        StringBuilder s = new StringBuilder();
        losses.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(' ')
                .append(String.format(java.util.Locale.ROOT, "%.4f", v)));
        return s.toString();
    }
}
