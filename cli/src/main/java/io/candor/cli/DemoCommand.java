package io.candor.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.attribution.ExecutorModel;
import io.candor.attribution.ExplainOptions;
import io.candor.attribution.Explainer;
import io.candor.attribution.Explanation;
import io.candor.attribution.Targets;
import io.candor.attribution.cd.ContextualDecomposition;
import io.candor.attribution.render.Heatmap;
import io.candor.attribution.render.Pictures;
import io.candor.finetune.Evaluation;
import io.candor.finetune.Trainer;
import io.candor.finetune.TrainingConfig;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxWriter;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.data.DatasetFolder;
import io.candor.models.data.DatasetSplit;
import io.candor.models.data.DecoyDigits;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code candor demo}: Candor's main job on built-in data, end to end. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs Candor's main job on built-in data.", "",
            "Makes decoy-digits (digits with a class-coding corner patch that lies at test time), trains",
            "the CDEP paper's MNIST CNN on it, shows that it learned the decoy (accuracy on the lying test",
            "split next to the same digits with no patch), explains a few test digits with CD (the share",
            "of the logit the corner patch carries, and a CD map over 4x4 tiles) and Grad-CAM, and writes a",
            "Markdown report with the heatmaps. About a minute on 2 cores."})
final class DemoCommand implements Callable<Integer> {
    private static final int SHOWN = 4;

    @Option(names = "--out", defaultValue = "candor-demo", paramLabel = "DIR", description = "Where to write everything (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--n-train", defaultValue = "30000", description = "Training digits (default ${DEFAULT-VALUE}).")
    int nTrain;

    @Option(names = "--epochs", defaultValue = "5", description = "Training epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of data, initialisation and shuffling (default ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        OptionChecks.of(spec).positive("--n-train", nTrain).positive("--epochs", epochs);
        PrintWriter pw = spec.commandLine().getOut();
        long start = System.nanoTime();
        pw.println("1/4 making decoy-digits: a 5x5 corner patch whose grey level is the class in training and lies in test");
        pw.flush();
        Map<String, DatasetSplit> splits = new DecoyDigits().dataset(nTrain, 3000, 2000, seed);
        DatasetFolder.write(out.resolve("data"), splits, DecoyDigits.meta(seed));
        OnnxModel start0 = TrainCommand.architecture("mnist-cnn", seed, out.resolve("data"));
        StringBuilder report = new StringBuilder("# Candor demo: a CNN that learned a decoy\n\n");
        report.append("Data: `data/` (decoy-digits, seed ").append(seed).append("): ").append(nTrain)
                .append(" training digits drawn from the machine's fonts, each with a 5x5 patch in a random corner whose ")
                .append("grey level is 255-25y in training and 25y in the test split.\n\n");
        TrainingConfig config = new TrainingConfig(epochs, 64, 1e-3f, "adam", 0.9f, 1e-4f, seed, 2, null, null);
        try (Executor executor = Executor.of(start0); Trainer trainer = new Trainer(executor, config)) {
            pw.printf("2/4 training the MNIST CNN (%d epochs, Adam 1e-3, batch 64)%n", epochs);
            pw.flush();
            report.append("## Training\n\n| epoch | train loss | train acc | val loss | val acc |\n|---|---|---|---|---|\n");
            trainer.train(splits.get("train"), splits.get("val"), null, new TrainingProgress(pw, (m, state) ->
                    report.append(String.format("| %d | %.4f | %.4f | %.4f | %.4f |%n", m.epoch(), m.trainLoss(),
                            m.trainAccuracy(), m.valLoss(), m.valAccuracy()))));
            OnnxWriter.write(start0, executor.initializerValues(), out.resolve("mnist-cnn.onnx"));
            pw.println("3/4 evaluating");
            Evaluation lying = Evaluation.of(executor, splits.get("test"), 256);
            Evaluation clean = Evaluation.of(executor, splits.get("test_clean"), 256);
            pw.printf("  accuracy on the test split, whose patches lie: %.1f%%%n", 100 * lying.accuracy());
            pw.printf("  accuracy on the same digits with no patch:     %.1f%%%n", 100 * clean.accuracy());
            report.append(String.format("%n## Did it learn the decoy?%n%n| test split | accuracy |%n|---|---|%n"
                    + "| patches lie (25y) | %.1f%% |%n| same digits, no patch | %.1f%% |%n| validation (patches tell the truth) | see above |%n%n",
                    100 * lying.accuracy(), 100 * clean.accuracy()));
            pw.println("4/4 explaining test digits with CD and Grad-CAM");
            pw.flush();
            explain(executor, splits.get("test"), report);
        }
        report.append(String.format("%nRun time: %.0f s. Model: `mnist-cnn.onnx`.%n", (System.nanoTime() - start) / 1e9));
        AtomicFiles.writeString(out.resolve("report.md"), report.toString());
        pw.printf("done in %.0f s; report: %s%n", (System.nanoTime() - start) / 1e9, out.resolve("report.md"));
        pw.flush();
        return 0;
    }

    private void explain(Executor executor, DatasetSplit test, StringBuilder report) throws IOException {
        ExecutorModel model = ExecutorModel.of(executor);
        try (NDManager batch = Engines.newManager()) {
            HostTensor all = test.x();
            float[] values = all.toFloatArray();
            HostTensor x = HostTensor.ofFloats(new long[] {SHOWN, 1, 28, 28}, java.util.Arrays.copyOf(values, SHOWN * 784));
            NDArray input = x.toNDArray(batch);
            long[] labels = java.util.Arrays.copyOf(test.labels(), SHOWN);
            NDArray corners = DecoyDigits.cornersMask().toNDArray(batch);
            var cd = new ContextualDecomposition(executor).decompose(batch, Map.of(model.input(), input), model.input(),
                    corners, model.output());
            NDArray logits = model.logits(batch, input);
            long[] predicted = Targets.top().resolve(logits);
            ExplainOptions sweep = new ExplainOptions("cd", Targets.top(), null, 0, "trapezoid", 64, false, 0, 0, "saliency",
                    0, null, 4, 4, null, null);
            Explanation tiles = Explainer.explain(model, batch, input, sweep);
            ExplainOptions camOptions = new ExplainOptions("grad-cam", Targets.top(), null, 0, "trapezoid", 64, false, 0, 0,
                    "saliency", 0, "relu2", 4, 4, null, null);
            Explanation cam = Explainer.explain(model, batch, input, camOptions);
            report.append("## Explanations of test digits\n\n")
                    .append("CD splits each predicted logit into the part the four corner patches explain and the rest; ")
                    .append("the CD map scores each 4x4 tile; Grad-CAM is taken at `relu2`.\n\n")
                    .append("| digit | true | predicted | logit | corner share (CD) | CD map | Grad-CAM |\n|---|---|---|---|---|---|---|\n");
            float[] rel = cd.relevant().toFloatArray();
            float[] total = logits.toFloatArray();
            HostTensor tileMaps = HostTensor.of(tiles.attributions());
            HostTensor camMaps = HostTensor.of(cam.attributions());
            float[] tileValues = tileMaps.toFloatArray();
            float[] camValues = camMaps.toFloatArray();
            for (int n = 0; n < SHOWN; n++) {
                int k = (int) predicted[n];
                float share = rel[n * 10 + k] / total[n * 10 + k];
                BufferedImage picture = Pictures.fromTensor(x, n);
                String cdFile = png(String.format("cd_%d.png", n), Heatmap.render(Pictures.channelSum(tileValues,
                        tileMaps.shape(), n), 28, 28, picture, "CD tiles, class " + k));
                String camFile = png(String.format("gradcam_%d.png", n), Heatmap.render(Pictures.channelSum(camValues,
                        camMaps.shape(), n), (int) camMaps.shape()[2], (int) camMaps.shape()[3], picture, "Grad-CAM, class " + k));
                report.append(String.format("| %d | %d | %d | %.2f | %.0f%% | ![](%s) | ![](%s) |%n", n, labels[n], k,
                        total[n * 10 + k], 100 * share, cdFile, camFile));
            }
        }
    }

    private String png(String name, BufferedImage image) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "png", bytes);
        AtomicFiles.writeBytes(out.resolve(name), bytes.toByteArray());
        return name;
    }
}
