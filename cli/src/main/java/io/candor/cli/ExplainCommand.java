package io.candor.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.candor.attribution.DifferentiableModel;
import io.candor.attribution.ExecutorModel;
import io.candor.attribution.ExplainOptions;
import io.candor.attribution.Explainer;
import io.candor.attribution.Explanation;
import io.candor.attribution.Targets;
import io.candor.attribution.TorchScriptModel;
import io.candor.attribution.render.TokenHtml;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code candor explain}: attributions of a model's predictions, with heatmaps and a report. */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Explains a model's predictions with an attribution method.", "",
            "Writes DIR/attributions.npy (the input's shape; with --target all [batch, classes, ...];",
            "Grad-CAM: batch x 1 x h x w of the layer), for cd also DIR/cd_relevant.npy and",
            "DIR/cd_irrelevant.npy (batch x classes, or batch x groups x classes for a sweep),",
            "DIR/report.json (per sample: target, logit, completeness error where the method has one),",
            "and a heatmap PNG per sample for images or DIR/tokens.html for token inputs; DIR/report.html shows",
            "them on one page with the command that made them.", "",
            "Methods: cd (contextual decomposition of the --mask or --span; without one, of each tile",
            "of --window pixels or of each token), deeplift (DeepLIFT-Rescale against --baseline),",
            "saliency, input-x-gradient, integrated-gradients, smoothgrad, grad-cam (on --layer),",
            "occlusion (--window, --stride)."})
final class ExplainCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "MODEL",
            description = "The .onnx file, or a TorchScript .pt file (gradient methods and occlusion only).")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    InputOptions.Source source;

    @Option(names = "--size", paramLabel = "H,W", split = ",", description = "Resize --image inputs to H x W (default: the model's input size).")
    int[] size;

    @Option(names = "--mean", paramLabel = "M1,M2,...", split = ",", description = "Per-channel mean subtracted from --image inputs (after scaling to [0,1]).")
    float[] mean;

    @Option(names = "--std", paramLabel = "S1,S2,...", split = ",", description = "Per-channel standard deviation dividing --image inputs.")
    float[] std;

    @Option(names = "--grayscale", description = "--image on a TorchScript model: one grey channel (ONNX models declare their channels).")
    boolean grayscale;

    @Option(names = "--method", required = true, paramLabel = "METHOD",
            description = "cd, deeplift, saliency, input-x-gradient, integrated-gradients, smoothgrad, grad-cam or occlusion.")
    String method;

    @Option(names = "--target", defaultValue = "top", paramLabel = "top|all|K",
            description = "The logit to explain: the top class (default), every class, or class K.")
    String target;

    @Option(names = "--mask", paramLabel = "M.npy|M.png",
            description = {"cd: the relevant features (1 = relevant). Images: broadcastable to the input (H x W,",
                "C x H x W, ...), or a PNG thresholded at half grey. Token ids: an .npy of token positions, [T] for",
                "every sample or [N, T] (the decoy words of each sentence, say)."})
    Path mask;

    @Option(names = "--span", paramLabel = "A:B", description = "cd on token inputs: the relevant tokens, A to B inclusive (0-based).")
    String span;

    @Option(names = "--layer", paramLabel = "TENSOR", description = "grad-cam: the tensor to explain at (names from candor inspect).")
    String layer;

    @Option(names = "--baseline", defaultValue = "zeros", paramLabel = "zeros|FILE.npy",
            description = "Reference input of deeplift, integrated-gradients and occlusion (default zeros).")
    String baseline;

    @Option(names = "--steps", defaultValue = "50", description = "integrated-gradients: points on the path (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--integration", defaultValue = "trapezoid", paramLabel = "trapezoid|gauss-legendre",
            description = "integrated-gradients: evenly spaced points from baseline to input inclusive (default), or Gauss-Legendre.")
    String integration;

    @Option(names = "--window", defaultValue = "4", description = "occlusion: window side; cd without a mask: tile side (default ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--stride", defaultValue = "2", description = "occlusion: stride of the window (default ${DEFAULT-VALUE}).")
    int stride;

    @Option(names = "--internal-batch", defaultValue = "64",
            description = "Rows per pass for integrated-gradients and windows per pass for occlusion (default ${DEFAULT-VALUE}).")
    int internalBatch;

    @Option(names = "--abs", description = "saliency: the gradient's magnitude instead of its signed value.")
    boolean absolute;

    @Option(names = "--noise", defaultValue = "0.15", description = "smoothgrad: noise as a fraction of each sample's value range (default ${DEFAULT-VALUE}).")
    float noise;

    @Option(names = "--samples", defaultValue = "25", description = "smoothgrad: noisy copies (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--smooth", defaultValue = "saliency", paramLabel = "METHOD",
            description = "smoothgrad: the method it averages (default ${DEFAULT-VALUE}).")
    String smoothed;

    @Option(names = "--seed", defaultValue = "0", description = "smoothgrad: seed of the noise (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--vocab", paramLabel = "FILE", description = "Token inputs: a file with one token per line, to show words instead of ids.")
    Path vocab;

    @Option(names = "--split", defaultValue = "test", description = "--data: the split to explain (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--spark", arity = "0..1", fallbackValue = "local[2]", paramLabel = "MASTER",
            description = {"With --data: explain the split on Apache Spark at MASTER (local[2] when given without one). Writes",
                "DIR/explanations.parquet (a row per sample: id, label, target, logit, attributions, completeness, CD's",
                "parts; cd reads each sample's mask.npy row), DIR/summary.json and DIR/mean-abs-class-K.npy per class."})
    String spark;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the results (created if needed).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        checkOptions();
        if (spark != null || source.data != null) {
            return explainOnSpark();
        }
        if (isTorchScript(model)) {
            Explainer.requireGraphIfNeeded(method, false);
            try (TorchScriptModel module = TorchScriptModel.load(model); NDManager batch = Engines.newManager()) {
                return explain(module, null, batch);
            }
        }
        OnnxModel onnx = OnnxReader.read(model);
        try (Executor executor = Executor.of(onnx); NDManager batch = Engines.newManager()) {
            return explain(ExecutorModel.of(executor), onnx, batch);
        }
    }

    /** The options as a split's batches are explained (one libtorch thread until the job sets its own). */
    SparkJobs.ExplainSettings settings() {
        return new SparkJobs.ExplainSettings(method, target, steps, integration, internalBatch, absolute, noise, samples,
                smoothed, seed, layer, window, stride, method.equals("cd"), EvaluateCommand.BATCH, 1);
    }

    /** A whole split on Spark: the workers explain its batches as this command explains one input. */
    private int explainOnSpark() {
        OptionChecks.of(spec).require(source.data != null, "--spark explains a dataset: give --data DIR (and --split)")
                .require(spark != null, "--data explains a whole split on Spark: add --spark (docs/spark.md)")
                .require(!isTorchScript(model), "--spark runs ONNX models")
                .require(baseline.equals("zeros"), "--baseline FILE does not go to Spark yet: the baseline is zeros there")
                .onlyWhen("--mask", false, "single inputs (on --data, cd reads each sample's mask.npy row)")
                .onlyWhen("--span", false, "single inputs")
                .onlyWhen("--size", false, "--image inputs")
                .onlyWhen("--mean", false, "--image inputs")
                .onlyWhen("--std", false, "--image inputs")
                .onlyWhen("--grayscale", false, "--image inputs")
                .onlyWhen("--vocab", false, "single inputs");
        List<String> written = SparkJobs.load().explain(spark, model, source.data, split, settings(), out);
        PrintWriter pw = spec.commandLine().getOut();
        boolean rows = source.data.toString().endsWith(".parquet") || java.nio.file.Files.exists(source.data.resolve("_SUCCESS"));
        pw.printf("%s explained %s with %s on Spark (%s); wrote to %s:%n", model.getFileName(),
                rows ? source.data : source.data.resolve(split), method, spark, out);
        written.forEach(f -> pw.println("  " + f));
        pw.flush();
        return 0;
    }

    static boolean isTorchScript(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".torchscript");
    }

    /** Values in range, and no option that the chosen method does not read. */
    private void checkOptions() {
        OptionChecks c = OptionChecks.of(spec).oneOf("--method", method, Explainer.METHODS);
        boolean ig = method.equals("integrated-gradients") || isSmoothing("integrated-gradients");
        c.positive("--steps", steps).positive("--window", window).positive("--stride", stride)
                .positive("--internal-batch", internalBatch).nonNegative("--noise", noise).positive("--samples", samples)
                .onlyWhen("--mask", method.equals("cd"), "--method cd")
                .onlyWhen("--span", method.equals("cd"), "--method cd")
                .onlyWhen("--layer", method.equals("grad-cam"), "--method grad-cam")
                .onlyWhen("--baseline", List.of("deeplift", "integrated-gradients", "occlusion").contains(method)
                        || isSmoothing("integrated-gradients"), "deeplift, integrated-gradients and occlusion")
                .onlyWhen("--steps", ig, "integrated-gradients")
                .onlyWhen("--integration", ig, "integrated-gradients")
                .onlyWhen("--window", method.equals("occlusion") || method.equals("cd"), "occlusion and cd without a mask")
                .onlyWhen("--stride", method.equals("occlusion"), "occlusion")
                .onlyWhen("--internal-batch", ig || method.equals("occlusion"), "integrated-gradients and occlusion")
                .onlyWhen("--abs", method.equals("saliency") || isSmoothing("saliency"), "saliency")
                .onlyWhen("--noise", method.equals("smoothgrad"), "smoothgrad")
                .onlyWhen("--samples", method.equals("smoothgrad"), "smoothgrad")
                .onlyWhen("--smooth", method.equals("smoothgrad"), "smoothgrad")
                .onlyWhen("--seed", method.equals("smoothgrad"), "smoothgrad")
                .onlyWhen("--split", source.data != null, "--data");
        if (method.equals("cd")) {
            c.require(!(c.given("--mask") && c.given("--span")), "--mask and --span exclude each other")
                    .onlyWhen("--window", !c.given("--mask"), "cd without a mask (the tile side)");
        }
    }

    private boolean isSmoothing(String inner) {
        return method.equals("smoothgrad") && smoothed.equals(inner);
    }

    /** Options that only one kind of input reads. */
    private void checkOptionsFor(boolean tokens) {
        OptionChecks.of(spec)
                .onlyWhen("--span", tokens, "token inputs (int64 ids); on images use --mask")
                .onlyWhen("--mask", !tokens || mask == null || mask.getFileName().toString().toLowerCase().endsWith(".npy"),
                        "token inputs as an .npy of token positions ([T] or [N, T]); a picture marks pixels")
                .onlyWhen("--baseline", !tokens, "float inputs; token inputs are explained through their embeddings")
                .onlyWhen("--vocab", tokens, "token inputs");
    }

    private int explain(DifferentiableModel target, OnnxModel onnx, NDManager batch) throws IOException {
        InputOptions.Loaded loaded = InputOptions.load(source, onnx, size, mean, std, grayscale);
        checkOptionsFor(!loaded.tensor().type().isFloating());
        NDArray input = loaded.tensor().toNDArray(batch);
        ExplainOptions options = new ExplainOptions(method, Targets.parse(this.target), baselineArray(batch, loaded.tensor()),
                steps, integration, internalBatch, absolute, noise, samples, smoothed, seed, layer, window, stride,
                maskArray(batch, loaded.tensor()), parseSpan());
        Explanation e = Explainer.explain(target, batch, input, options);
        // Everything is checked before anything is written: no NaN goes out as an explanation.
        HostTensor.ofFloats(new long[] {e.targetLogits().length}, e.targetLogits()).requireFiniteResult("the target logits");
        Map<String, HostTensor> arrays = new LinkedHashMap<>();
        arrays.put("attributions.npy", HostTensor.of(e.attributions()).requireFiniteResult("the attributions"));
        if (e.cdRelevant() != null) {
            arrays.put("cd_relevant.npy", HostTensor.of(e.cdRelevant()).requireFiniteResult("the CD relevant parts"));
            arrays.put("cd_irrelevant.npy", HostTensor.of(e.cdIrrelevant()).requireFiniteResult("the CD irrelevant parts"));
        }
        List<String> written = new ArrayList<>();
        arrays.forEach((name, array) -> {
            Npy.write(out.resolve(name), array);
            written.add(name);
        });
        List<String> pictures = drawPictures(loaded, e);
        written.addAll(pictures);
        written.add(writeReport(loaded, e, pictures));
        written.add(ExplainReport.write(out, "candor explain: " + method + " on " + model.getFileName(), loaded.description(), e,
                pictures, CommandText.of(spec)));
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf("%s explained %d sample(s) with %s; wrote to %s:%n", model.getFileName(), loaded.tensor().shape()[0],
                method, out);
        listed(written, pictures).forEach(f -> pw.println("  " + f));
        if (e.completeness().length > 0) {
            float worst = 0;
            for (float c : e.completeness()) {
                worst = Math.max(worst, Math.abs(c));
            }
            pw.printf("largest completeness error: %.3g%n", worst);
        }
        pw.flush();
        return 0;
    }

    private NDArray baselineArray(NDManager batch, HostTensor input) {
        if (baseline.equals("zeros")) {
            return null;
        }
        HostTensor b = Npy.read(Path.of(baseline)).requireFinite(baseline);
        if (b.type() != input.type()) {
            throw new CandorException("the baseline " + baseline + " is " + b.type() + " but the input is " + input.type());
        }
        return b.toNDArray(batch);
    }

    private NDArray maskArray(NDManager batch, HostTensor input) {
        if (mask == null) {
            return null;
        }
        String file = mask.getFileName().toString().toLowerCase();
        HostTensor m = file.endsWith(".npy") ? Npy.read(mask).requireFinite(mask.toString())
                : InputOptions.maskImage(mask, input.shape());
        return m.toNDArray(batch).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
    }

    private int[] parseSpan() {
        if (span == null) {
            return null;
        }
        String[] parts = span.split(":");
        try {
            if (parts.length == 2) {
                return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new CandorException("--span must be A:B with token indices, e.g. 3:5; got '" + span + "'");
    }

    private List<String> drawPictures(InputOptions.Loaded loaded, Explanation e) throws IOException {
        HostTensor in = loaded.tensor();
        HostTensor attributions = HostTensor.of(e.attributions());
        List<String> files = new ArrayList<>();
        if (!in.type().isFloating()) {
            files.add(tokenPage(in, attributions, e));
            return files;
        }
        long[] ids = java.util.stream.LongStream.range(0, in.shape()[0]).toArray();
        files.addAll(HeatmapFiles.write(out, method, in, loaded.images(), attributions, e.targets(), e.targetLogits(), ids));
        return files;
    }

    private String tokenPage(HostTensor ids, HostTensor attributions, Explanation e) throws IOException {
        List<String> words = vocab == null ? List.of() : Files.readAllLines(vocab);
        long[] s = ids.shape();
        long[] tokens = ids.toLongArray();
        float[] scores = attributions.toFloatArray();
        long perSample = attributions.size() / s[0];
        List<String> labels = new ArrayList<>();
        List<List<String>> text = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        for (int n = 0; n < s[0]; n++) {
            List<String> row = new ArrayList<>();
            for (int t = 0; t < s[1]; t++) {
                long id = tokens[(int) (n * s[1] + t)];
                row.add(id >= 0 && id < words.size() ? words.get((int) id) : "#" + id);
            }
            text.add(row);
            rows.add(Arrays.copyOfRange(scores, (int) (n * perSample), (int) (n * perSample + s[1])));
            labels.add(e.targets().length == 0 ? "sample " + n
                    : String.format("sample %d: class %d (logit %.3g)", n, e.targets()[n], e.targetLogits()[n]));
        }
        AtomicFiles.writeString(out.resolve("tokens.html"), TokenHtml.page("candor explain: " + method, labels, text, rows));
        return "tokens.html";
    }

    private String writeReport(InputOptions.Loaded loaded, Explanation e, List<String> pictures) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("model", model.toString());
        root.put("method", method);
        root.put("target", target);
        root.put("input", loaded.description());
        ObjectNode settings = root.putObject("settings");
        switch (method) {
            case "integrated-gradients" -> {
                settings.put("steps", steps);
                settings.put("integration", integration);
                settings.put("baseline", baseline);
            }
            case "deeplift" -> settings.put("baseline", baseline);
            case "smoothgrad" -> {
                settings.put("noise", noise);
                settings.put("samples", samples);
                settings.put("smoothed", smoothed);
                settings.put("seed", seed);
            }
            case "occlusion" -> {
                settings.put("window", window);
                settings.put("stride", stride);
                settings.put("baseline", baseline);
            }
            case "grad-cam" -> settings.put("layer", layer);
            case "cd" -> {
                settings.put("mask", mask == null ? null : mask.toString());
                settings.put("span", span);
                if (mask == null && span == null) {
                    settings.put("sweep", loaded.tensor().type().isFloating() ? "tiles of " + window : "tokens");
                }
            }
            default -> settings.put("absolute", absolute);
        }
        ArrayNode samplesNode = root.putArray("samples");
        float[] relevant = e.cdRelevant() == null || e.cdRelevant().getShape().dimension() != 2 ? null : e.cdRelevant().toFloatArray();
        float[] irrelevant = relevant == null ? null : e.cdIrrelevant().toFloatArray();
        for (int n = 0; n < e.targets().length; n++) {
            ObjectNode s = samplesNode.addObject();
            s.put("index", n);
            s.put("target", e.targets()[n]);
            s.put("logit", e.targetLogits()[n]);
            if (e.completeness().length > 0) {
                s.put("completeness_error", e.completeness()[n]);
            }
            if (relevant != null) {
                long classes = e.cdRelevant().getShape().get(1);
                s.put("cd_relevant", relevant[(int) (n * classes + e.targets()[n])]);
                s.put("cd_irrelevant", irrelevant[(int) (n * classes + e.targets()[n])]);
            }
            if (n < pictures.size() && pictures.get(n).endsWith(".png")) {
                s.put("heatmap", pictures.get(n));
            }
        }
        AtomicFiles.writeString(out.resolve("report.json"), mapper.writeValueAsString(root));
        return "report.json";
    }

    /** The files written, with a long run of pictures shown as its first and last. */
    private static List<String> listed(List<String> written, List<String> pictures) {
        if (pictures.size() <= 3) {
            return written;
        }
        List<String> shown = new ArrayList<>(written);
        int first = shown.indexOf(pictures.get(0));
        shown.removeAll(pictures);
        shown.add(first, pictures.get(0) + " ... " + pictures.get(pictures.size() - 1) + " (" + pictures.size() + " pictures)");
        return shown;
    }
}
