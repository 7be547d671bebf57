package io.candor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.interop.CandorException;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import io.candor.models.data.DatasetFolder;
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

/**
 * The story {@code candor demo} tells on decoy-digits, as a chain of Candor's own commands run in this
 * process exactly as a user types them: make the data, train a biased CNN, explain it, learn its
 * attribute dictionary with concepts, repair it with CDEP from the cached prefix (beside the same
 * fine-tuning without a penalty and CDEP from scratch), measure and explain every model the same way,
 * check the repaired ONNX in ONNX Runtime. Every file stays in the output folder, and {@link DemoReport}
 * puts the results on one page with each command beside what it made.
 */
final class DemoStory {
    /** The layer after the convolutions: fine-tuning trains what follows, the taps lie before it. */
    static final String CUT = "flatten";
    static final String TAP = "pool2";
    static final String CAM_LAYER = "relu2";
    static final double CDEP_LAMBDA = 1000;
    static final double SCRATCH_LAMBDA = 30;

    /** How much work each step does: the full demo, or a smoke run of every step for tests. */
    record Sizes(int train, int val, int test, int epochs, int interpretEpochs, String pictureSteps, int finetuneEpochs,
            int scratchEpochs, int explained) {
        static final Sizes FULL = new Sizes(30000, 3000, 2000, 5, 12, "6x50", 3, 1, 64);
        static final Sizes QUICK = new Sizes(1500, 300, 300, 1, 2, "1x5", 1, 1, 8);
    }

    /** One model of the story and what it measured. */
    record Measured(String name, String how, Path model, List<String> command, double lying, double clean,
            double cdShare, Map<String, List<String>> explanations) {
        /** The folder {@code explain --method METHOD} wrote for this model ("cd", "cd-tiles", "grad-cam"). */
        Path explained(String method) {
            List<String> c = explanations.get(method);
            return Path.of(c.get(c.size() - 1));
        }
    }

    private final Path out;
    private final long seed;
    private final Sizes sizes;
    private final PrintWriter pw;
    private final List<List<String>> commands = new ArrayList<>();
    private int step;
    private long start;

    DemoStory(Path out, long seed, Sizes sizes, PrintWriter pw) {
        this.out = out;
        this.seed = seed;
        this.sizes = sizes;
        this.pw = pw;
    }

    Path out() {
        return out;
    }

    Path data() {
        return out.resolve("data");
    }

    Path digits() {
        return out.resolve("digits.npy");
    }

    Path corners() {
        return out.resolve("corners.npy");
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
        header("making decoy-digits: a 5x5 corner patch whose grey level gives the class in training and lies in test");
        candor("data", "make", "decoy-digits", "--out", data(), "--n-train", sizes.train(), "--n-val", sizes.val(),
                "--n-test", sizes.test(), "--seed", seed);
        writeInputs();

        header("training the CDEP paper's MNIST CNN on it: it learns the patch");
        List<String> train = candor("train", "--arch", "mnist-cnn", "--data", data(), "--epochs", sizes.epochs(), "--seed",
                seed, "--out", model("biased"));
        Measured biased = measure("biased", "trained on decoy-digits", train);

        header("learning its attribute dictionary (FLINT) with the concepts corner_patch, closed_loop, straight_only bound");
        List<String> interpret = candor("interpret", "--model", model("biased"), "--data", data(), "--taps", TAP,
                "--concepts", data().resolve("concepts").resolve("concepts.npy"), "--epochs", sizes.interpretEpochs(),
                "--picture-steps", sizes.pictureSteps(), "--seed", seed, "--out", dictionary());

        header("repairing it: fine-tuning the layers after '" + CUT + "' with CDEP on the corners, from the cached prefix");
        List<String> repair = candor(finetune("cdep", CDEP_LAMBDA, "repaired"));
        Measured repaired = measure("repaired", "fine-tuned after " + CUT + " with CDEP (lambda " + OptionChecks.plain(CDEP_LAMBDA)
                + ")", repair);

        header("the same fine-tuning without a penalty, and CDEP from scratch, to compare");
        Measured plain = measure("finetuned", "fine-tuned after " + CUT + " without a penalty",
                candor(finetune("none", 0, "finetuned")));
        Measured scratch = measure("cdep-scratch", "trained from scratch with CDEP (lambda " + OptionChecks.plain(SCRATCH_LAMBDA)
                + ", " + sizes.scratchEpochs() + " epoch" + (sizes.scratchEpochs() > 1 ? "s" : "") + ")",
                candor("train", "--arch", "mnist-cnn", "--data", data(), "--penalty", "cdep", "--lambda",
                        OptionChecks.plain(SCRATCH_LAMBDA), "--epochs", sizes.scratchEpochs(), "--seed", seed, "--out",
                        model("cdep-scratch")));

        header("how each fine-tuned model uses the dictionary's attributes (the same attributes, a head fitted anew)");
        List<String> compare = candor("interpret", "compare", "--interpreter", dictionary(), "--model", model("finetuned"),
                "--model", model("repaired"), "--data", data(), "--out", out.resolve("compare.json"));

        header("checking the repaired ONNX model in ONNX Runtime against Candor's executor");
        List<String> ort = candor("predict", "--model", model("repaired"), "--input", digits(), "--out",
                out.resolve("onnx-check").resolve("ort.npy"));
        List<String> djl = candor("predict", "--model", model("repaired"), "--input", digits(), "--engine", "djl", "--out",
                out.resolve("onnx-check").resolve("djl.npy"));
        double onnxDifference = maxDifference(Npy.read(out.resolve("onnx-check").resolve("ort.npy")),
                Npy.read(out.resolve("onnx-check").resolve("djl.npy")));
        pw.printf(Locale.ROOT, "  ONNX Runtime runs the repaired model; its logits differ from Candor's executor's by at most %.2g%n",
                onnxDifference);

        double seconds = (System.nanoTime() - start) / 1e9;
        return new DemoReport.Results(this, List.of(biased, plain, repaired, scratch), interpret, compare,
                List.of(ort, djl), onnxDifference, readJson(out.resolve("compare.json")), readJson(dictionary()
                        .resolve(InterpreterFolder.DICTIONARY_FILE)), commands, seconds);
    }

    private List<String> finetune(String penalty, double lambda, String name) {
        List<String> args = new ArrayList<>(List.of("finetune", "--model", model("biased").toString(), "--data",
                data().toString(), "--cut", CUT, "--penalty", penalty));
        if (!penalty.equals("none")) {
            args.addAll(List.of("--lambda", OptionChecks.plain(lambda)));
        }
        args.addAll(List.of("--epochs", String.valueOf(sizes.finetuneEpochs()), "--cache", out.resolve("cache").toString(),
                "--seed", String.valueOf(seed), "--out", model(name).toString()));
        return args;
    }

    Path model(String name) {
        return out.resolve(name + ".onnx");
    }

    /** Accuracy with lying patches and without, and the CD share and heatmaps of the explained digits. */
    private Measured measure(String name, String how, List<String> command) throws IOException {
        Path model = model(name);
        double lying = accuracy(model, "test");
        double clean = accuracy(model, "test_clean");
        pw.printf(Locale.ROOT, "  %s: accuracy %.1f%% on the test split, whose patches lie; %.1f%% on the same digits with no"
                + " patch%n", name, 100 * lying, 100 * clean);
        Map<String, List<String>> explanations = new LinkedHashMap<>();
        explanations.put("cd", candor("explain", "--model", model, "--input", digits(), "--method", "cd", "--mask", corners(),
                "--out", explained(name, "cd")));
        explanations.put("cd-tiles", candor("explain", "--model", model, "--input", digits(), "--method", "cd", "--window", 4,
                "--out", explained(name, "cd-tiles")));
        explanations.put("grad-cam", candor("explain", "--model", model, "--input", digits(), "--method", "grad-cam",
                "--layer", CAM_LAYER, "--out", explained(name, "grad-cam")));
        double share = cdShare(explained(name, "cd").resolve("report.json"));
        pw.printf(Locale.ROOT, "  %s: the corner patches carry %.1f%% of the predicted logit (CD: |beta| / (|beta| + |gamma|),"
                + " mean over %d test digits)%n",
                name, 100 * share, sizes.explained());
        return new Measured(name, how, model, command, lying, clean, share, explanations);
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

    /** The first test digits, which every model explains, and the corner mask CD decomposes. */
    private void writeInputs() {
        HostTensor test = DatasetFolder.read(data(), "test").x();
        Npy.write(digits(), test.rows(java.util.stream.IntStream.range(0, sizes.explained()).toArray()));
        Npy.write(corners(), DecoyDigits.cornersMask());
        pw.printf("  wrote %s (the first %d test digits) and %s (the four corners, 1 = spurious)%n", digits(),
                sizes.explained(), corners());
    }

    private void header(String what) {
        pw.printf(Locale.ROOT, "%n%d. %s  [%.0f s]%n", ++step, what, (System.nanoTime() - start) / 1e9);
        pw.flush();
    }

    /** Runs a command as typed (numbers and paths as text), echoes it, and keeps it for the report. */
    private List<String> candor(Object... args) {
        List<String> typed = new ArrayList<>();
        for (Object a : args) {
            typed.add(a.toString());
        }
        return candor(typed);
    }

    private List<String> candor(List<String> typed) {
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
