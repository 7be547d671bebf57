package io.candor.cli;

import io.candor.finetune.Optimizer;
import io.candor.finetune.TrainingConfig;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.onnx.OnnxWriter;
import io.candor.interpreter.Dictionary;
import io.candor.interpreter.JointTraining;
import io.candor.interpreter.LossSchedule;
import io.candor.interpreter.LstmTaps;
import io.candor.interpreter.TapCache;
import io.candor.models.data.DatasetFolder;
import io.candor.models.data.DatasetSplit;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code candor train --interpreter taps=T[,T2],attributes=J}: FLINT by design, the model and its
 * attribute dictionary trained together on a dataset folder. Writes MODEL.onnx (the model alone) and,
 * in MODEL.interpreter/, what {@code candor interpret} writes: interpreter.onnx,
 * model_interpreted.onnx, dictionary.json measured on the test split, pictures/ and report.html.
 */
final class JointTrainingRun {
    /** The parsed --interpreter value. */
    record Spec(List<String> taps, int attributes) {
        /**
         * "taps=pool1,pool2,attributes=25": a part with '=' starts a key, a part without continues the
         * previous key's list; attributes defaults to 25.
         */
        static Spec parse(String text) {
            List<String> taps = new ArrayList<>();
            int attributes = 25;
            String key = null;
            for (String part : text.split(",")) {
                String p = part.trim();
                String value = p;
                if (p.contains("=")) {
                    key = p.substring(0, p.indexOf('=')).trim();
                    value = p.substring(p.indexOf('=') + 1).trim();
                }
                if ("taps".equals(key) && !value.isEmpty()) {
                    taps.add(value);
                } else if ("attributes".equals(key)) {
                    try {
                        attributes = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new CandorException("--interpreter: attributes must be a whole number, got '" + value + "'");
                    }
                } else {
                    throw new CandorException("--interpreter: '" + p + "' is not part of taps=T[,T2...],attributes=J");
                }
            }
            if (taps.isEmpty() || attributes < 1) {
                throw new CandorException("--interpreter needs taps=T[,T2...] and attributes=J >= 1, got '" + text + "'");
            }
            return new Spec(taps, attributes);
        }
    }

    /** FLINT's activation maximisation: 6 rounds of 50 steps. */
    private static final int[] PICTURE_STEPS = {6, 50};

    private final TrainingRun run;
    private final Spec spec;
    private final String command;

    JointTrainingRun(TrainingRun run, Spec spec, String command) {
        this.run = run;
        this.spec = spec;
        this.command = command;
    }

    int run(PrintWriter pw, OnnxModel start) throws IOException {
        DatasetSplit train = DatasetFolder.read(run.data, "train");
        DatasetSplit test = DatasetFolder.read(run.data, "test");
        boolean tokens = !train.x().type().isFloating();
        LossSchedule schedule = tokens ? LossSchedule.forTokens() : LossSchedule.flintMnist();
        Path folder = TrainCommand.sibling(run.out, ".interpreter");
        TrainingConfig adam = new TrainingConfig(run.epochs, run.batch, run.lr, "adam", 0f, 0f, run.seed, 0, null, null);
        List<Map<String, Double>> history = new ArrayList<>();
        Map<String, Object> dictionary = new LinkedHashMap<>();
        pw.printf("training the model and its interpreter together (taps %s, J = %d; FLINT's losses %s plus the"
                + " cross-entropy ce)%n", spec.taps(), spec.attributes(), schedule);
        try (JointTraining joint = JointTraining.of(start, train, spec.taps(), spec.attributes(), schedule, Optimizer.of(adam),
                run.batch, run.seed)) {
            for (int epoch = 1; epoch <= run.epochs; epoch++) {
                long t0 = System.nanoTime();
                Map<String, Double> losses = joint.epoch(train, epoch, new Random(run.seed * 1_000_003L + epoch));
                history.add(losses);
                pw.printf(Locale.ROOT, "  epoch %d: %s (%.1f s)%n", epoch, InterpretCommand.format(losses),
                        (System.nanoTime() - t0) / 1e9);
                pw.flush();
            }
            OnnxModel model = joint.trainedModel();
            OnnxModel interpreter = joint.trainedInterpreter();
            dictionary.put("mode", "joint (FLINT by design): the model trained with its interpreter");
            dictionary.put("taps", joint.taps());
            dictionary.put("attributes", spec.attributes());
            dictionary.put("lossWeights", schedule + ",ce=1@0");
            dictionary.put("epochs", history);
            try (Executor f = Executor.of(LstmTaps.adapt(model, spec.taps()).model()); Executor g = Executor.of(interpreter)) {
                dictionary.putAll(Dictionary.measure(g, TapCache.compute(f, test, joint.taps(), 256)));
            }
            Files.createDirectories(folder);
            OnnxWriter.write(interpreter.proto(), folder.resolve("interpreter.onnx"));
            OnnxWriter.write(joint.trainedMerged(), folder.resolve("model_interpreted.onnx"));
            DictionaryFiles.write(pw, folder, OnnxReader.fromProto(joint.trainedMerged(), null), train, test, dictionary,
                    PICTURE_STEPS, command);
            OnnxWriter.write(model.proto(), run.out);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) dictionary.get("metrics");
        pw.printf(Locale.ROOT, "test: accuracy f %.4f, g %.4f, fidelity %.4f%n", m.get("accuracyF"), m.get("accuracyG"),
                m.get("fidelity"));
        pw.printf("wrote %s and, in %s, interpreter.onnx, model_interpreted.onnx, dictionary.json, pictures/ and report.html%n",
                run.out, folder);
        return 0;
    }
}
