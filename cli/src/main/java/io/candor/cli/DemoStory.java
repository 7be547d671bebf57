package io.candor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.interop.CandorException;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import io.candor.models.data.DatasetFolder;
import io.candor.models.data.DatasetSplit;
import io.candor.models.data.DecoyDigits;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The story {@code candor demo} tells, as a chain of Candor's own commands run in this process exactly
 * as a user types them: make the data, train a biased model, explain it, learn its attribute dictionary
 * with concepts, repair it with CDEP after a cut (beside the same fine-tuning without a penalty and CDEP
 * from scratch), measure and explain every model the same way, check the repaired ONNX in ONNX Runtime.
 * {@link DemoSetting} says what differs between decoy-digits and decoy-text. Every file stays in the
 * output folder, and {@link DemoReport} puts the results on one page with each command beside what it made.
 */
final class DemoStory {
    /** Grad-CAM's layer in the MNIST CNN: the last convolution's activation. */
    static final String CAM_LAYER = "relu2";

    /** One model of the story and what it measured. */
    record Measured(String name, String how, Path model, List<String> command, double main, double other,
            double cdShare, Map<String, List<String>> explanations) {
        /** The folder an explanation of this model went to ("cd", and "cd-tiles" and "grad-cam" or "cd-tokens"). */
        Path explained(String method) {
            List<String> c = explanations.get(method);
            return Path.of(c.get(c.size() - 1));
        }
    }

    private final Path out;
    private final long seed;
    private final DemoSetting setting;
    private final PrintWriter pw;
    private final List<List<String>> commands = new ArrayList<>();
    private int step;
    private long start;
    private long[] inputLabels;

    DemoStory(Path out, long seed, DemoSetting setting, PrintWriter pw) {
        this.out = out;
        this.seed = seed;
        this.setting = setting;
        this.pw = pw;
    }

    Path out() {
        return out;
    }

    Path data() {
        return out.resolve("data");
    }

    DemoSetting setting() {
        return setting;
    }

    /** The inputs every model explains: the first test digits, or sentences that carry a decoy word. */
    Path inputs() {
        return out.resolve("inputs.npy");
    }

    /** What CD decomposes in them: the corners, or each sentence's decoy word (1 = spurious). */
    Path inputsMask() {
        return out.resolve("inputs-mask.npy");
    }

    /** The labels of the explained inputs, known once the data is made. */
    long[] inputLabels() {
        return inputLabels;
    }

    Path vocabulary() {
        return data().resolve(DataCommand.Make.VOCABULARY);
    }

    Path dictionary() {
        return out.resolve("dictionary");
    }

    Path explained(String model, String method) {
        return out.resolve("explain").resolve(model + "-" + method);
    }

    /** Runs the whole story and returns what the report needs. */
    DemoReport.Results run() throws IOException {
        start = System.nanoTime();
        Files.createDirectories(out);
        int[] sizes = setting.sizes();
        header("making " + setting.generator() + ": a spurious feature that gives the class away in training");
        candor("data", "make", setting.generator(), "--out", data(), "--n-train", sizes[0], "--n-val", sizes[1],
                "--n-test", sizes[2], "--seed", seed);
        writeInputs();

        header("training a model on it: it learns the spurious feature");
        List<String> train = new ArrayList<>(List.of("train"));
        train.addAll(setting.train());
        Measured biased = measure("biased", "trained on " + setting.generator(),
                candor(concat(train, "--data", data(), "--seed", seed, "--out", model("biased"))));

        header("learning its attribute dictionary (FLINT) with the generator's concepts bound");
        List<String> interpret = candor("interpret", "--model", model("biased"), "--data", data(), "--taps", setting.tap(),
                "--attributes", setting.attributes(), "--concepts", data().resolve("concepts").resolve("concepts.npy"),
                "--epochs", setting.interpretEpochs(), "--picture-steps", setting.pictureSteps(), "--seed", seed, "--out",
                dictionary());

        header("repairing it: fine-tuning " + setting.tuned() + " with CDEP on the spurious feature");
        Measured repaired = measure("repaired", "fine-tuned " + setting.tuned() + " with CDEP (lambda "
                + OptionChecks.plain(setting.cdepLambda()) + ")", candor(finetune("cdep", setting.cdepLambda(), "repaired")));

        header("the same fine-tuning without a penalty, and CDEP from scratch, to compare");
        Measured plain = measure("finetuned", "fine-tuned " + setting.tuned() + " without a penalty",
                candor(finetune("none", 0, "finetuned")));
        List<String> scratch = new ArrayList<>(List.of("train"));
        scratch.addAll(setting.scratchTrain());
        Measured fromScratch = measure("cdep-scratch", "trained from scratch with CDEP (lambda "
                + OptionChecks.plain(setting.scratchLambda()) + ")", candor(concat(scratch, "--data", data(), "--penalty",
                        "cdep", "--lambda", OptionChecks.plain(setting.scratchLambda()), "--seed", seed, "--out",
                        model("cdep-scratch"))));

        header("how each fine-tuned model uses the dictionary's attributes (the same attributes, a head fitted anew)");
        List<String> compare = candor("interpret", "compare", "--interpreter", dictionary(), "--model", model("finetuned"),
                "--model", model("repaired"), "--data", data(), "--out", out.resolve("compare.json"));

        header("checking the repaired ONNX model in ONNX Runtime against Candor's executor");
        List<String> ort = candor("predict", "--model", model("repaired"), "--input", inputs(), "--out",
                out.resolve("onnx-check").resolve("ort.npy"));
        List<String> djl = candor("predict", "--model", model("repaired"), "--input", inputs(), "--engine", "djl", "--out",
                out.resolve("onnx-check").resolve("djl.npy"));
        double onnxDifference = maxDifference(Npy.read(out.resolve("onnx-check").resolve("ort.npy")),
                Npy.read(out.resolve("onnx-check").resolve("djl.npy")));
        pw.printf(Locale.ROOT, "  ONNX Runtime runs the repaired model; its logits differ from Candor's executor's by at most %.2g%n",
                onnxDifference);

        double seconds = (System.nanoTime() - start) / 1e9;
        return new DemoReport.Results(this, List.of(biased, plain, repaired, fromScratch), interpret, compare,
                List.of(ort, djl), onnxDifference, readJson(out.resolve("compare.json")), readJson(dictionary()
                        .resolve(InterpreterFolder.DICTIONARY_FILE)), commands, seconds);
    }

    private static List<Object> concat(List<?> head, Object... tail) {
        List<Object> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    private List<String> finetune(String penalty, double lambda, String name) {
        List<String> args = new ArrayList<>(List.of("finetune", "--model", model("biased").toString(), "--data",
                data().toString(), "--cut", setting.cut(), "--penalty", penalty));
        if (!penalty.equals("none")) {
            args.addAll(List.of("--lambda", OptionChecks.plain(lambda)));
        }
        args.addAll(List.of("--epochs", String.valueOf(setting.finetuneEpochs()), "--cache", out.resolve("cache").toString(),
                "--seed", String.valueOf(seed), "--out", model(name).toString()));
        return args;
    }

    Path model(String name) {
        return out.resolve(name + ".onnx");
    }

    /** Accuracy on the setting's two splits, and the CD share and explanations of the explained inputs. */
    private Measured measure(String name, String how, List<String> command) throws IOException {
        Path model = model(name);
        double main = accuracy(model, setting.mainSplit().name());
        double other = accuracy(model, setting.otherSplit().name());
        pw.printf(Locale.ROOT, "  %s: accuracy %.1f%% on %s, %.1f%% on %s%n", name, 100 * main, setting.mainSplit().label(),
                100 * other, setting.otherSplit().label());
        Map<String, List<String>> explanations = new LinkedHashMap<>();
        List<Object> cd = concat(List.of("explain", "--model", model.toString(), "--input", inputs().toString(), "--method",
                "cd", "--mask", inputsMask().toString()));
        if (!setting.images()) {
            cd.addAll(List.of("--vocab", vocabulary()));
        }
        cd.addAll(List.of("--out", explained(name, "cd")));
        explanations.put("cd", candor(cd.toArray()));
        if (setting.images()) {
            explanations.put("cd-tiles", candor("explain", "--model", model, "--input", inputs(), "--method", "cd", "--window", 4,
                    "--out", explained(name, "cd-tiles")));
            explanations.put("grad-cam", candor("explain", "--model", model, "--input", inputs(), "--method", "grad-cam",
                    "--layer", CAM_LAYER, "--out", explained(name, "grad-cam")));
        } else {
            explanations.put("cd-tokens", candor(concat(List.of("explain", "--model", model.toString(), "--input",
                    inputs().toString(), "--method", "cd"), "--vocab", vocabulary(), "--out", explained(name, "cd-tokens"))
                    .toArray()));
        }
        double share = cdShare(explained(name, "cd").resolve("report.json"));
        pw.printf(Locale.ROOT, "  %s: the spurious feature carries %.1f%% of the predicted logit (CD: |beta| / (|beta| +"
                + " |gamma|), mean over %d inputs)%n", name, 100 * share, setting.explained());
        return new Measured(name, how, model, command, main, other, share, explanations);
    }

    private double accuracy(Path model, String split) {
        return InProcessCandor.json(List.of("evaluate", "--model", model.toString(), "--data", data().toString(), "--split",
                split, "--json")).get("accuracy").asDouble();
    }

    /**
     * Mean over the explained digits of |beta| / (|beta| + |gamma|) for the predicted class: how much of the
     * logit the patches carry. In magnitude, because a patch that lies pushes the logit down as strongly as a
     * truthful one pushes it up, and the signed share of the two would cancel.
     */
    private static double cdShare(Path report) throws IOException {
        double sum = 0;
        int n = 0;
        for (JsonNode s : new ObjectMapper().readTree(report.toFile()).get("samples")) {
            double beta = Math.abs(s.get("cd_relevant").asDouble());
            double gamma = Math.abs(s.get("cd_irrelevant").asDouble());
            sum += beta + gamma == 0 ? 0 : beta / (beta + gamma);
            n++;
        }
        if (n == 0) {
            throw new CandorException(report + " explains no sample");
        }
        return sum / n;
    }

    /**
     * The inputs every model explains and their mask: the first test digits and the four corners, or the
     * first sentences of the concepts split that carry a decoy word, and each one's decoy word.
     */
    private void writeInputs() {
        int n = setting.explained();
        if (setting.images()) {
            DatasetSplit test = DatasetFolder.read(data(), "test");
            int[] rows = IntStream.range(0, (int) Math.min(n, test.size())).toArray();
            Npy.write(inputs(), test.x().rows(rows));
            inputLabels = IntStream.of(rows).mapToLong(i -> test.labels()[i]).toArray();
            Npy.write(inputsMask(), DecoyDigits.cornersMask());
            pw.printf("  wrote %s (the first %d test digits) and %s (the four corners, 1 = spurious)%n", inputs(), n,
                    inputsMask());
            return;
        }
        DatasetSplit concepts = DatasetFolder.read(data(), "concepts");
        HostTensor mask = concepts.mask();
        float[] marks = mask.toFloatArray();
        int length = (int) mask.shape()[1];
        int[] rows = IntStream.range(0, (int) concepts.size())
                .filter(i -> IntStream.range(0, length).anyMatch(t -> marks[i * length + t] > 0)).limit(n).toArray();
        if (rows.length == 0) {
            throw new CandorException("no sentence of " + data().resolve("concepts") + " carries a decoy word");
        }
        Npy.write(inputs(), concepts.x().rows(rows));
        inputLabels = IntStream.of(rows).mapToLong(i -> concepts.labels()[i]).toArray();
        Npy.write(inputsMask(), mask.rows(rows));
        pw.printf("  wrote %s (%d sentences with a decoy word, from the concepts split) and %s (each one's decoy word)%n",
                inputs(), rows.length, inputsMask());
    }

    private void header(String what) {
        pw.printf(Locale.ROOT, "%n%d. %s  [%.0f s]%n", ++step, what, (System.nanoTime() - start) / 1e9);
        pw.flush();
    }

    /** Runs a command as typed (numbers and paths as text), echoes it, and keeps it for the report. */
    private List<String> candor(Object... args) {
        return candor(List.of(args));
    }

    private List<String> candor(List<?> args) {
        List<String> typed = args.stream().map(Object::toString).toList();
        pw.println("$ " + InProcessCandor.typed(typed));
        pw.flush();
        InProcessCandor.run(typed, pw);
        commands.add(typed);
        return typed;
    }

    private static double maxDifference(HostTensor a, HostTensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        if (x.length != y.length) {
            throw new CandorException("ONNX Runtime and the executor gave outputs of different sizes: " + x.length + " and " + y.length);
        }
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }

    private static JsonNode readJson(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }
}
