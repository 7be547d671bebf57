package io.candor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.attribution.report.LabelledImage;
import io.candor.attribution.report.LineChart;
import io.candor.attribution.report.Report;
import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import io.candor.interpreter.AttributePictures;
import io.candor.interpreter.DictionaryReport;
import io.candor.interop.tensor.Npy;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

/**
 * {@code DIR/report.html} of {@code candor demo}: the before/after table, heatmaps of the same digits
 * side by side, the dictionary's class x attribute relevance and concept pictures, the concept weights
 * of each fine-tuned model, the training curves and the ONNX check, each with the commands that made it.
 */
final class DemoReport {
    /** Inputs shown side by side; the table's shares average over all explained inputs. */
    private static final int SHOWN = 4;

    /** What the story measured, in the order the report shows it. */
    record Results(DemoStory story, List<DemoStory.Measured> models, List<String> interpret, List<String> compare,
            List<List<String>> onnxCheck, double onnxDifference, JsonNode comparison, JsonNode dictionary,
            List<List<String>> commands, double seconds) {
        DemoStory.Measured model(String name) {
            return models.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
        }

        /** What the figures say about the repair (see {@link DemoVerdict}). */
        String verdict() {
            DemoStory.Measured biased = model("biased");
            DemoStory.Measured repaired = model("repaired");
            DemoSetting setting = story.setting();
            DemoVerdict.Reliance reliance = setting.otherSplitRandomisesFeature()
                    ? new DemoVerdict.Reliance(setting.otherSplit().label(), biased.other(), repaired.other()) : null;
            return DemoVerdict.of(setting.mainSplit().label(), biased.main(), model("finetuned").main(), repaired.main(),
                    biased.cdShare(), repaired.cdShare(), reliance);
        }
    }

    private DemoReport() {
    }

    static void write(Results r, Path file) throws IOException {
        DemoSetting setting = r.story().setting();
        Report page = Report.titled(setting.title());
        DemoStory.Measured biased = r.model("biased");
        DemoStory.Measured repaired = r.model("repaired");
        DemoStory.Measured plain = r.model("finetuned");
        page.paragraph(setting.intro() + " Every file is in " + r.story().out() + "; each figure gives the commands that made it.");
        page.paragraph(String.format(Locale.ROOT, "Accuracy on %s: %.1f%% repaired, against %.1f%% before and %.1f%% after the"
                + " same fine-tuning without a penalty.", setting.mainSplit().label(), 100 * repaired.main(),
                100 * biased.main(), 100 * plain.main()));
        summary(page, r);
        explanations(page, r);
        dictionary(page, r);
        comparison(page, r);
        curves(page, r);
        page.heading("The repaired model in ONNX Runtime");
        page.paragraph(String.format(Locale.ROOT, "repaired.onnx is the biased model's graph with new weights after the cut."
                + " ONNX Runtime runs it; on the explained digits its logits differ from those of Candor's executor by at"
                + " most %.2g.", r.onnxDifference()).replace("digits", setting.inputName() + "s"));
        page.command(r.onnxCheck().stream().map(InProcessCandor::typed).collect(Collectors.joining("\n")));
        page.heading("Every step, to rerun by hand");
        page.paragraph(String.format(Locale.ROOT, "The demo ran these commands in one process, in %.0f s.", r.seconds()));
        page.command(r.commands().stream().map(InProcessCandor::typed).collect(Collectors.joining("\n")));
        page.write(file);
    }

    private static void summary(Report page, Results r) {
        page.heading("Before and after");
        DemoSetting setting = r.story().setting();
        String concept = setting.concept();
        Map<String, JsonNode> weights = conceptWeights(r.comparison(), concept);
        List<List<String>> rows = new ArrayList<>();
        for (DemoStory.Measured m : r.models()) {
            JsonNode w = weights.get(m.model().toString());
            rows.add(List.of(m.name() + ".onnx", m.how(), percent(m.main()), percent(m.other()), percent(m.cdShare()),
                    w == null ? "n/a: other taps" : String.format(Locale.ROOT, "%.3f", w.get("meanAbsWeight").asDouble())));
        }
        page.table("accuracy on " + setting.mainSplit().label() + " and on " + setting.otherSplit().label() + "; the CD"
                + " share of the spurious feature in the predicted logit, |beta| / (|beta| + |gamma|) (mean over the"
                + " explained " + setting.inputName() + "s); the mean |weight| of the " + concept + " attribute in a head"
                + " fitted to each model (n/a for the model trained from scratch: its taps are not the dictionary's)",
                List.of("model", "how it was made", setting.mainSplit().label(), setting.otherSplit().label(),
                        "CD share of the spurious feature", concept + " weight"), rows);
        page.paragraph(r.verdict());
    }

    /** The explained inputs as the biased and the repaired model saw them, and which of them to show. */
    private record Explained(DemoStory.Measured biased, DemoStory.Measured repaired, int[] before, int[] after, long[] labels,
            List<Integer> shown) {
    }

    private static void explanations(Report page, Results r) throws IOException {
        DemoSetting setting = r.story().setting();
        page.heading("Explanations of the same " + setting.inputName() + "s, before | after");
        DemoStory.Measured biased = r.model("biased");
        DemoStory.Measured repaired = r.model("repaired");
        int[] before = targets(biased);
        int[] after = targets(repaired);
        long[] labels = r.story().inputLabels();
        Explained e = new Explained(biased, repaired, before, after, labels, shown(before, after, labels));
        if (setting.images()) {
            heatmaps(page, e);
        } else {
            tokens(page, r, e);
        }
    }

    private static void heatmaps(Report page, Explained e) {
        DemoStory.Measured biased = e.biased();
        DemoStory.Measured repaired = e.repaired();
        page.paragraph("The explained digits where the patch fooled the biased model and the repaired model is right come"
                + " first. Grad-CAM at " + DemoStory.CAM_LAYER + " shows where the last convolutions look; CD of 4x4 tiles"
                + " scores each tile's own contribution to the predicted logit (red for, blue against).");
        for (int n : e.shown()) {
            List<LabelledImage> panels = new ArrayList<>();
            for (String method : List.of("grad-cam", "cd-tiles")) {
                String label = method.equals("grad-cam") ? "Grad-CAM" : "CD of 4x4 tiles";
                panels.add(LabelledImage.of(label + ", biased", heatmap(biased, method, n)));
                panels.add(LabelledImage.of(label + ", repaired", heatmap(repaired, method, n)));
            }
            page.figures(String.format(Locale.ROOT, "test digit %d, a %d: predicted %d before, %d after", n, e.labels()[n],
                    e.before()[n], e.after()[n]), panels,
                    commands(List.of(biased.explanations().get("grad-cam"), repaired.explanations().get("grad-cam"),
                            biased.explanations().get("cd-tiles"), repaired.explanations().get("cd-tiles"))));
        }
    }

    private static void tokens(Report page, Results r, Explained e) throws IOException {
        DemoStory.Measured biased = e.biased();
        DemoStory.Measured repaired = e.repaired();
        long[] labels = e.labels();
        List<String> words = Files.readAllLines(r.story().vocabulary());
        long[] ids = Npy.read(r.story().inputs()).toLongArray();
        int length = ids.length / labels.length;
        float[] scoresBefore = Npy.read(biased.explained("cd-tokens").resolve("attributions.npy")).toFloatArray();
        float[] scoresAfter = Npy.read(repaired.explained("cd-tokens").resolve("attributions.npy")).toFloatArray();
        List<String> rowLabels = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        List<float[]> scores = new ArrayList<>();
        for (int n : e.shown()) {
            List<String> sentence = new ArrayList<>();
            for (int t = 0; t < length; t++) {
                long id = ids[n * length + t];
                sentence.add(id >= 0 && id < words.size() ? words.get((int) id) : "#" + id);
            }
            for (boolean isBefore : new boolean[] {true, false}) {
                rowLabels.add(String.format(Locale.ROOT, "sentence %d (label %d), %s: predicted %d", n, labels[n],
                        isBefore ? "biased" : "repaired", isBefore ? e.before()[n] : e.after()[n]));
                rows.add(sentence);
                float[] all = isBefore ? scoresBefore : scoresAfter;
                scores.add(java.util.Arrays.copyOfRange(all, n * length, (n + 1) * length));
            }
        }
        page.paragraph("Sentences of the concepts split that carry a decoy word, those the repair turned from wrong to right"
                + " first. Each word is coloured by its own CD contribution to the predicted class (red for, blue"
                + " against; hover for the value).");
        page.tokens("CD of each word, biased | repaired", rowLabels, rows, scores, commands(List.of(
                biased.explanations().get("cd-tokens"), repaired.explanations().get("cd-tokens"))));
    }

    /** Up to {@value #SHOWN} inputs: those the repair turned from wrong to right first, then the others in order. */
    static List<Integer> shown(int[] before, int[] after, long[] labels) {
        List<Integer> fixed = new ArrayList<>();
        List<Integer> others = new ArrayList<>();
        for (int n = 0; n < before.length; n++) {
            (before[n] != labels[n] && after[n] == labels[n] ? fixed : others).add(n);
        }
        fixed.addAll(others);
        return fixed.subList(0, Math.min(SHOWN, fixed.size()));
    }

    private static void dictionary(Report page, Results r) throws IOException {
        JsonNode d = r.dictionary();
        page.heading("The biased model's attribute dictionary");
        JsonNode m = d.get("metrics");
        page.paragraph(String.format(Locale.ROOT, "FLINT's interpreter on %s: %d attributes; on the test split g agrees with the"
                + " model on %.1f%% of the inputs. The whole dictionary, with every attribute's pictures: dictionary/report.html.",
                d.get("taps"), d.get("attributes").asInt(), 100 * m.get("fidelity").asDouble()));
        Map<Integer, String> names = new LinkedHashMap<>();
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode c : d.path("concepts")) {
            names.put(c.get("attribute").asInt(), c.get("name").asText());
            rows.add(List.of(c.get("name").asText(), c.get("attribute").asText(),
                    c.get("auc").isNull() ? "" : String.format(Locale.ROOT, "%.3f", c.get("auc").asDouble()), numbers(c.get("weights"))));
        }
        String command = InProcessCandor.typed(r.interpret());
        page.heatmap("which attributes each class relies on: r(class, attribute)", DictionaryReport.relevanceMatrix(
                matrix(d.get("classRelevance")), names), command);
        page.table("the concepts bound to attributes: ROC AUC of the attribute for the concept on the test split, and its"
                + " weight per class in the interpreter's head", List.of("concept", "attribute", "test AUC",
                        "weight per class"), rows);
        Set<Integer> pictured = new LinkedHashSet<>(names.keySet());
        if (d.has("biasExposure")) {
            pictured.add(d.get("biasExposure").get("mostInsideMask").asInt());
        }
        List<LabelledImage> pictures = new ArrayList<>();
        for (int j : pictured) {
            Path file = AttributePictures.attributeFile(r.story().dictionary().resolve("pictures"), j);
            if (Files.isRegularFile(file)) {
                pictures.add(LabelledImage.of("attribute " + j + (names.containsKey(j) ? " (" + names.get(j) + ")"
                        : " (reads the corners most)"), read(file)));
            }
        }
        if (!pictures.isEmpty()) {
            page.figures("attributes: their top samples, where in the input they look, and an image that maximises them",
                    pictures, command);
        }
    }

    private static void comparison(Report page, Results r) {
        String concept = r.story().setting().concept();
        page.heading("Does each model still follow " + concept + "?");
        page.paragraph("The dictionary's attributes are kept, and a linear head is fitted anew to each model's outputs on the"
                + " concepts split, where the spurious feature varies apart from the class, so the weight says how much"
                + " the model's predictions follow the " + concept + " attribute when the feature does not go with the class.");
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode row : r.comparison().get("models")) {
            for (JsonNode c : row.get("concepts")) {
                if (c.get("name").asText().equals(concept)) {
                    rows.add(List.of(displayName(row.get("model").asText()), percent(row.get("accuracy").asDouble()),
                            percent(row.get("fidelity").asDouble()), String.format(Locale.ROOT, "%.3f",
                                    c.get("meanAbsWeight").asDouble()), numbers(c.get("weights"))));
                }
            }
        }
        page.table(null, List.of("model", "accuracy (concepts split)", "head's fidelity", "mean |weight|",
                "weight per class"), rows);
        page.command(InProcessCandor.typed(r.compare()));
    }

    private static void curves(Report page, Results r) throws IOException {
        page.heading("Training curves");
        List<DemoStory.Measured> trained = r.models();
        Map<String, JsonNode> metrics = new LinkedHashMap<>();
        for (DemoStory.Measured m : trained) {
            metrics.put(m.name(), new ObjectMapper().readTree(TrainCommand.sibling(m.model(), ".metrics.json").toFile()));
        }
        Map<String, JsonNode> penalised = new LinkedHashMap<>(metrics);
        penalised.values().removeIf(epochs -> !epochs.get(0).hasNonNull("biasScore"));
        List<LineChart> charts = new ArrayList<>();
        charts.add(chart("validation loss (cross-entropy)", "loss", metrics, e -> e.get("valLoss").asDouble()));
        charts.add(chart("validation accuracy (patches tell the truth)", "accuracy", metrics, e -> e.get("valAccuracy").asDouble()));
        charts.add(chart("penalty: CDEP's share in training", "penalty", penalised, e -> e.path("penalty").asDouble(0)));
        charts.add(chart("bias score: the same share on validation", "share", penalised,
                e -> e.path("biasScore").asDouble(Double.NaN)));
        page.charts("per epoch, for each model (fine-tuning starts from the biased model)", charts,
                commands(trained.stream().map(DemoStory.Measured::command).toList()));
    }

    private static LineChart chart(String title, String y, Map<String, JsonNode> metrics, ToDoubleFunction<JsonNode> value) {
        LineChart chart = LineChart.titled(title).axes("epoch", y);
        metrics.forEach((name, epochs) -> {
            double[] xs = new double[epochs.size()];
            double[] ys = new double[epochs.size()];
            for (int i = 0; i < epochs.size(); i++) {
                xs[i] = epochs.get(i).get("epoch").asDouble();
                ys[i] = value.applyAsDouble(epochs.get(i));
            }
            chart.series(name, xs, ys);
        });
        return chart;
    }

    /** Each model's row of {@code concept} in the comparison, by the model file it names. */
    private static Map<String, JsonNode> conceptWeights(JsonNode comparison, String concept) {
        Map<String, JsonNode> byModel = new LinkedHashMap<>();
        for (JsonNode row : comparison.get("models")) {
            String model = row.get("model").asText().replace(" (the dictionary's)", "");
            for (JsonNode c : row.get("concepts")) {
                if (c.get("name").asText().equals(concept)) {
                    byModel.put(model, c);
                }
            }
        }
        return byModel;
    }

    /** The class each explained digit was explained for: the model's prediction. */
    private static int[] targets(DemoStory.Measured m) throws IOException {
        JsonNode samples = new ObjectMapper().readTree(m.explained("cd").resolve("report.json").toFile()).get("samples");
        int[] targets = new int[samples.size()];
        for (int n = 0; n < targets.length; n++) {
            targets[n] = samples.get(n).get("target").asInt();
        }
        return targets;
    }

    private static BufferedImage heatmap(DemoStory.Measured m, String method, int n) {
        return read(m.explained(method).resolve(String.format(Locale.ROOT, "heatmap_%03d.png", n)));
    }

    private static BufferedImage read(Path file) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new CandorException(file + " is not a picture Java can read");
            }
            return image;
        } catch (IOException e) {
            throw new CandorException("cannot read " + file + ": " + AtomicFiles.describe(e), e);
        }
    }

    private static float[][] matrix(JsonNode rows) {
        float[][] m = new float[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            m[i] = new float[rows.get(i).size()];
            for (int j = 0; j < m[i].length; j++) {
                m[i][j] = (float) rows.get(i).get(j).asDouble();
            }
        }
        return m;
    }

    /** A model's file name, and what follows it ("(the dictionary's)"), without its folder. */
    private static String displayName(String label) {
        int space = label.indexOf(' ');
        String path = space < 0 ? label : label.substring(0, space);
        return Path.of(path).getFileName() + (space < 0 ? "" : label.substring(space));
    }

    private static String commands(List<List<String>> commands) {
        return commands.stream().map(InProcessCandor::typed).collect(Collectors.joining("\n"));
    }

    private static String numbers(JsonNode values) {
        List<String> text = new ArrayList<>();
        values.forEach(v -> text.add(String.format(Locale.ROOT, "%+.2f", v.asDouble())));
        return String.join(" ", text);
    }

    private static String percent(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
