package io.candor.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.candor.attribution.render.DivergingColors;
import io.candor.attribution.render.Pictures;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.onnx.Node;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.onnx.ValueInfo;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import io.candor.interpreter.AttributePictures;
import io.candor.interpreter.InterpreterGraph;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code candor interpret explain}: FLINT's local explanation of single predictions (Parekh et al. 2021,
 * section 5). For a sample x and the interpreter's class c, attribute j's relevance is
 * alpha_j = Phi_j(x) W[c][j], with W the head h's weight ({@value #HEAD_WEIGHT} in
 * {@code model_interpreted.onnx}, [C, J]); the K attributes with the largest alpha explain the
 * prediction.
 *
 * <p>Writes {@code DIR/explanations.json} and, for image inputs, {@code DIR/sample_<n>.png}: the input,
 * the top K contributions as horizontal bars (positive red, negative blue, each on a light blue-grey
 * track of colour {@code #E6EBF2} that frames it by {@value #INSET} pixels, so a track's left edge is
 * one unbroken column per bar), and beside each bar the attribute's picture from
 * {@code OUT/pictures/attribute_<j>.png}, scaled to fit. Everything is checked and computed before the
 * first file is written.
 */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Explains single predictions with a learned dictionary (FLINT).", "",
            "For each sample, with the dictionary that 'candor interpret --out OUT' wrote:",
            "the interpreter g's class c, each attribute's value Phi_j, its relevance",
            "alpha_j = Phi_j * W[c][j] (W: the weight of g's head h) and the K attributes",
            "with the largest alpha.", "",
            "Writes DIR/explanations.json (per sample: f's class and probability, g's",
            "class, every Phi_j and alpha_j, the top K and the concept bound to each, if",
            "any) and, for image inputs, DIR/sample_N.png: the input, the top K",
            "contributions as bars and beside each bar the attribute's picture from",
            "OUT/pictures/."})
final class InterpretExplainCommand implements Callable<Integer> {
    /** The head's weight in the merged model: h is FC J -> C (Gemm, transB), merged with this prefix. */
    static final String HEAD_WEIGHT = "interpreter/h.weight";
    static final String MODEL_FILE = "model_interpreted.onnx";
    static final String DICTIONARY_FILE = "dictionary.json";
    /** The colour of the track behind each bar. */
    static final int TRACK_RGB = 0xE6EBF2;
    /** The track's margin around its bar, in pixels. */
    static final int INSET = 3;
    private static final int BATCH = 256;
    /** The side the input picture is drawn at. */
    private static final int INPUT_SIDE = 224;
    private static final int ROW = 112;
    private static final int TRACK_WIDTH = 240;
    private static final int TRACK_HEIGHT = 28;
    private static final int PICTURE_WIDTH = 720;
    private static final int HEADER = 40;
    private static final int GAP = 12;

    @Option(names = "--interpreter", required = true, paramLabel = "OUT",
            description = {"The folder 'candor interpret --out OUT' wrote:",
                "model_interpreted.onnx, dictionary.json, pictures/."})
    Path interpreter;

    @Option(names = "--input", required = true, paramLabel = "X.npy",
            description = {"The samples as the model takes them (float32 NCHW", "images, int64 token ids, ...); one sample may leave",
                "out the batch axis."})
    Path input;

    @Option(names = "--top", defaultValue = "3", paramLabel = "K",
            description = {"Attributes shown per sample, largest alpha first", "(default ${DEFAULT-VALUE})."})
    int top;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The folder to write.")
    Path out;

    @Spec
    CommandSpec spec;

    /** One sample's explanation. */
    private record Explained(int sample, int fClass, float fProbability, int gClass, float gProbability, float[] phi,
            float[] alpha, int[] top) {
    }

    @Override
    public Integer call() throws IOException {
        OptionChecks.of(spec).positive("--top", top);
        rejectParentOptions();
        if (!Files.isDirectory(interpreter)) {
            throw new CandorException("--interpreter: " + interpreter + (Files.exists(interpreter) ? " is not a folder"
                    : " does not exist") + "; give the folder that 'candor interpret --out' wrote");
        }
        Path modelFile = interpreter.resolve(MODEL_FILE);
        Path dictionaryFile = interpreter.resolve(DICTIONARY_FILE);
        for (Path file : List.of(modelFile, dictionaryFile)) {
            if (!Files.isRegularFile(file)) {
                throw new CandorException(interpreter + " has no " + file.getFileName() + ": is it a folder that"
                        + " 'candor interpret --out' wrote?");
            }
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new CandorException("--out: " + out + " is a file, not a folder");
        }
        JsonNode dictionary = readDictionary(dictionaryFile);
        OnnxModel merged = OnnxReader.read(modelFile);
        String fOutput = modelOutput(merged);
        float[][] w = headWeight(merged);
        int classes = w.length;
        int attributes = w[0].length;
        if (dictionary.has("attributes") && dictionary.get("attributes").asInt() != attributes) {
            throw new CandorException(dictionaryFile + " says " + dictionary.get("attributes").asInt() + " attributes but "
                    + modelFile + "'s head has " + attributes + ": the two files are not from the same run");
        }
        if (top > attributes) {
            throw new ParameterException(spec.commandLine(), "--top " + top + " exceeds the " + attributes
                    + " attributes of the dictionary");
        }
        Map<Integer, String> concepts = conceptNames(dictionary, attributes);
        ValueInfo declared = singleInput(merged);
        HostTensor x = batched(Npy.read(input).requireFinite(input.toString()), declared);
        int n = (int) x.shape()[0];
        if (n == 0) {
            throw new CandorException(input + " holds no samples");
        }

        long start = System.nanoTime();
        float[][][] outputs = run(merged, declared.name(), x, List.of(fOutput, InterpreterGraph.ATTRIBUTES,
                InterpreterGraph.LOGITS));
        float[][] f = outputs[0];
        float[][] phi = outputs[1];
        float[][] g = outputs[2];
        requireWidth(fOutput, f, classes);
        requireWidth(InterpreterGraph.LOGITS, g, classes);
        requireWidth(InterpreterGraph.ATTRIBUTES, phi, attributes);
        boolean fIsProbability = producedBySoftmax(merged, fOutput);
        List<Explained> explained = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            float[] pf = fIsProbability ? f[s] : softmax(f[s]);
            float[] pg = softmax(g[s]);
            int fc = argmax(f[s]);
            int gc = argmax(g[s]);
            float[] alpha = new float[attributes];
            for (int j = 0; j < attributes; j++) {
                alpha[j] = phi[s][j] * w[gc][j];
            }
            explained.add(new Explained(s, fc, pf[fc], gc, pg[gc], phi[s], alpha, topK(alpha, top)));
        }

        boolean pictured = x.type().isFloating() && Pictures.isPicture(x.shape());
        Map<Integer, BufferedImage> attributePictures = pictured ? attributePictures(explained) : Map.of();
        Files.createDirectories(out);
        PrintWriter pw = spec.commandLine().getOut();
        if (pictured) {
            for (Explained e : explained) {
                AttributePictures.writePng(out.resolve("sample_" + e.sample() + ".png"),
                        picture(x, e, concepts, attributePictures));
            }
        }
        AtomicFiles.writeString(out.resolve("explanations.json"), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(json(explained, concepts, fOutput, fIsProbability, pictured)));
        for (Explained e : explained.subList(0, Math.min(10, n))) {
            pw.printf(Locale.ROOT, "sample %d: f class %d (p %.3f), g class %d; top: %s%n", e.sample(), e.fClass(),
                    e.fProbability(), e.gClass(), describeTop(e, concepts));
        }
        if (n > 10) {
            pw.printf("... and %d more samples%n", n - 10);
        }
        pw.printf(Locale.ROOT, "wrote %s%s for %d sample%s (%.1f s)%s%n", out.resolve("explanations.json"),
                pictured ? " and sample_N.png" : "", n, n > 1 ? "s" : "", (System.nanoTime() - start) / 1e9,
                pictured ? "" : "; the inputs are not pictures, so no PNG");
        pw.flush();
        return 0;
    }

    /** Options of {@code interpret} itself have no meaning here; saying so beats ignoring them. */
    private void rejectParentOptions() {
        CommandSpec parent = spec.parent();
        if (parent == null || parent.commandLine().getParseResult() == null) {
            return;
        }
        List<String> given = parent.commandLine().getParseResult().matchedOptions().stream().map(OptionSpec::longestName)
                .distinct().toList();
        if (!given.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "the options " + given + " of 'interpret' do not apply to"
                    + " 'interpret explain'");
        }
    }

    private static JsonNode readDictionary(Path file) {
        try {
            JsonNode node = new ObjectMapper().readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new CandorException(file + " is not a JSON object: is it the dictionary.json of 'candor interpret'?");
            }
            return node;
        } catch (IOException e) {
            throw new CandorException("cannot read " + file + ": " + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    /** f's output: the merged model's first output that the interpreter did not add. */
    private String modelOutput(OnnxModel merged) {
        List<String> names = merged.graph().outputs().stream().map(ValueInfo::name).toList();
        for (String wanted : List.of(InterpreterGraph.ATTRIBUTES, InterpreterGraph.LOGITS)) {
            if (!names.contains(wanted)) {
                throw new CandorException(merged.label() + " has no output '" + wanted + "' (outputs: " + names
                        + "): it is not a model that 'candor interpret' wrote");
            }
        }
        return names.stream().filter(o -> !InterpreterGraph.OUTPUTS.contains(o)).findFirst().orElseThrow(() ->
                new CandorException(merged.label() + " has only the interpreter's outputs " + names + ", not the model's own"));
    }

    /** W, the head's weight [C][J]. */
    private static float[][] headWeight(OnnxModel merged) {
        HostTensor w = merged.graph().initializers().get(HEAD_WEIGHT);
        if (w == null || w.rank() != 2 || w.shape()[0] < 1 || w.shape()[1] < 1) {
            throw new CandorException(merged.label() + (w == null ? " has no initializer '" + HEAD_WEIGHT + "'"
                    : "'s '" + HEAD_WEIGHT + "' is " + Arrays.toString(w.shape()) + ", not [classes, attributes]")
                    + ": it is not a model that 'candor interpret' wrote");
        }
        return rows(w.toFloatArray(), (int) w.shape()[0], (int) w.shape()[1]);
    }

    /** The concepts bound to attributes, by attribute, from dictionary.json's {@code concepts}. */
    private static Map<Integer, String> conceptNames(JsonNode dictionary, int attributes) {
        Map<Integer, String> names = new HashMap<>();
        JsonNode list = dictionary.get("concepts");
        if (list != null && list.isArray()) {
            for (JsonNode c : list) {
                if (c.hasNonNull("name") && c.has("attribute") && c.get("attribute").canConvertToInt()) {
                    int j = c.get("attribute").asInt();
                    if (j >= 0 && j < attributes) {
                        names.put(j, c.get("name").asText());
                    }
                }
            }
        }
        return names;
    }

    private static ValueInfo singleInput(OnnxModel merged) {
        List<ValueInfo> inputs = merged.graph().inputs();
        if (inputs.size() != 1) {
            throw new CandorException(merged.label() + " has " + inputs.size() + " inputs " + inputs.stream()
                    .map(ValueInfo::name).toList() + "; interpret explain takes models with one input");
        }
        return inputs.get(0);
    }

    /**
     * {@code x} with its batch axis: as it is when its rank is the model input's, with a batch of one
     * added when it is one less. Its type and fixed dimensions must be the model's, checked here rather
     * than by the native code.
     */
    private HostTensor batched(HostTensor x, ValueInfo declared) {
        List<String> dims = declared.dims();
        String expected = "the model input '" + declared.name() + "' is " + (declared.type() == null ? "?"
                : declared.type().name().toLowerCase(Locale.ROOT)) + " " + dims;
        if (declared.type() != null && x.type() != declared.type()) {
            throw new CandorException(input + " is " + x.type().name().toLowerCase(Locale.ROOT) + " "
                    + Arrays.toString(x.shape()) + " but " + expected);
        }
        if (dims.isEmpty()) {
            return x;
        }
        long[] shape = x.shape();
        if (shape.length == dims.size() - 1) {
            long[] withBatch = new long[shape.length + 1];
            withBatch[0] = 1;
            System.arraycopy(shape, 0, withBatch, 1, shape.length);
            shape = withBatch;
        }
        boolean ok = shape.length == dims.size();
        for (int i = 1; ok && i < shape.length; i++) {
            String d = dims.get(i);
            ok = !d.chars().allMatch(Character::isDigit) || Long.parseLong(d) == shape[i];
        }
        if (!ok) {
            throw new CandorException(input + " has shape " + Arrays.toString(x.shape()) + " but " + expected
                    + " (one sample may leave out the batch axis)");
        }
        return x.reshape(shape);
    }

    /** The wanted outputs for all samples, each [N][width], computed in batches. */
    private static float[][][] run(OnnxModel merged, String inputName, HostTensor x, List<String> wanted) {
        int n = (int) x.shape()[0];
        float[][][] result = new float[wanted.size()][n][];
        try (Executor executor = Executor.of(merged)) {
            for (int from = 0; from < n; from += BATCH) {
                int to = Math.min(n, from + BATCH);
                try (NDManager batch = Engines.newManager()) {
                    Map<String, NDArray> values = executor.run(batch, Map.of(inputName, slice(x, from, to).toNDArray(batch)),
                            wanted);
                    for (int k = 0; k < wanted.size(); k++) {
                        HostTensor t = HostTensor.of(values.get(wanted.get(k)));
                        t.requireFiniteResult("the output '" + wanted.get(k) + "'");
                        if (t.rank() != 2 || t.shape()[0] != to - from) {
                            throw new CandorException("the output '" + wanted.get(k) + "' is " + Arrays.toString(t.shape())
                                    + " for " + (to - from) + " samples; expected [samples, values]");
                        }
                        float[][] r = rows(t.toFloatArray(), to - from, (int) t.shape()[1]);
                        System.arraycopy(r, 0, result[k], from, to - from);
                    }
                }
            }
        }
        return result;
    }

    private static void requireWidth(String output, float[][] values, int width) {
        if (values[0].length != width) {
            throw new CandorException("the output '" + output + "' has " + values[0].length + " values per sample, but the"
                    + " head has " + width);
        }
    }

    private static boolean producedBySoftmax(OnnxModel merged, String output) {
        Node producer = merged.graph().producer(output);
        return producer != null && producer.opType().equals("Softmax");
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) of {@code x}. */
    private static HostTensor slice(HostTensor x, int from, int to) {
        long[] shape = x.shape();
        long perRow = HostTensor.elementCount(shape) / shape[0] * x.type().bytes();
        shape[0] = to - from;
        ByteBuffer data = x.data();
        data.position(Math.toIntExact(from * perRow)).limit(Math.toIntExact(to * perRow));
        return new HostTensor(x.type(), shape, data);
    }

    private static float[][] rows(float[] flat, int n, int width) {
        float[][] r = new float[n][];
        for (int i = 0; i < n; i++) {
            r[i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        return r;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static float[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = (float) (e[i] / sum);
        }
        return p;
    }

    /** The indices of the K largest values, largest first (ties: the lower index first). */
    static int[] topK(float[] alpha, int k) {
        return IntStream.range(0, alpha.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(j -> -alpha[j]).thenComparingInt(j -> j))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    private Map<String, Object> json(List<Explained> explained, Map<Integer, String> concepts, String fOutput,
            boolean fIsProbability, boolean pictured) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("interpreter", interpreter.toString());
        root.put("input", input.toString());
        root.put("modelOutput", fOutput);
        root.put("fProbability", fIsProbability ? "the model's output (a Softmax)" : "softmax of the model's output");
        root.put("headWeight", HEAD_WEIGHT);
        root.put("relevance", "alpha_j = Phi_j * W[gClass][j]");
        root.put("top", top);
        List<Map<String, Object>> samples = new ArrayList<>();
        for (Explained e : explained) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("sample", e.sample());
            s.put("fClass", e.fClass());
            s.put("fProbability", e.fProbability());
            s.put("gClass", e.gClass());
            s.put("gProbability", e.gProbability());
            s.put("agree", e.fClass() == e.gClass());
            s.put("phi", e.phi());
            s.put("alpha", e.alpha());
            List<Map<String, Object>> topList = new ArrayList<>();
            for (int j : e.top()) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("attribute", j);
                t.put("alpha", e.alpha()[j]);
                t.put("phi", e.phi()[j]);
                if (concepts.containsKey(j)) {
                    t.put("concept", concepts.get(j));
                }
                topList.add(t);
            }
            s.put("top", topList);
            if (pictured) {
                s.put("picture", "sample_" + e.sample() + ".png");
            }
            samples.add(s);
        }
        root.put("samples", samples);
        return root;
    }

    private static String describeTop(Explained e, Map<Integer, String> concepts) {
        StringBuilder s = new StringBuilder();
        for (int j : e.top()) {
            s.append(s.length() == 0 ? "" : ", ").append(label(j, concepts))
                    .append(String.format(Locale.ROOT, " %+.3g", e.alpha()[j]));
        }
        return s.toString();
    }

    private static String label(int j, Map<Integer, String> concepts) {
        return concepts.containsKey(j) ? concepts.get(j) + " (attribute " + j + ")" : "attribute " + j;
    }

    /** The pictures of the attributes some sample shows, read before anything is written; missing ones are left out. */
    private Map<Integer, BufferedImage> attributePictures(List<Explained> explained) {
        Map<Integer, BufferedImage> pictures = new HashMap<>();
        for (Explained e : explained) {
            for (int j : e.top()) {
                if (pictures.containsKey(j)) {
                    continue;
                }
                Path file = interpreter.resolve("pictures").resolve("attribute_" + j + ".png");
                BufferedImage image = null;
                if (Files.isRegularFile(file)) {
                    try {
                        image = ImageIO.read(file.toFile());
                    } catch (IOException ex) {
                        throw new CandorException("cannot read " + file + ": " + AtomicFiles.describe(ex), ex);
                    }
                    if (image == null) {
                        throw new CandorException(file + " is not a picture Java can read");
                    }
                }
                pictures.put(j, image);
            }
        }
        return pictures;
    }

    /**
     * {@code image} scaled down to w x h by halving steps, then one bilinear step: one bilinear step from
     * a picture many times larger would skip most of its pixels.
     */
    private static BufferedImage shrink(BufferedImage image, int w, int h) {
        BufferedImage current = image;
        while (true) {
            int nextW = Math.max(w, current.getWidth() / 2);
            int nextH = Math.max(h, current.getHeight() / 2);
            boolean last = nextW == w && nextH == h;
            if (!last && current.getWidth() < 2 * w && current.getHeight() < 2 * h) {
                nextW = w;
                nextH = h;
                last = true;
            }
            BufferedImage next = new BufferedImage(nextW, nextH, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = next.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(current, 0, 0, nextW, nextH, null);
            g.dispose();
            current = next;
            if (last) {
                return current;
            }
        }
    }

    /**
     * One sample's picture: the input on the left under its title; on the right, one row per top
     * attribute: its label and Phi, its bar (length |alpha| over the largest |alpha| of the K) on its
     * track, alpha's value, and the attribute's picture scaled to fit.
     */
    private BufferedImage picture(HostTensor x, Explained e, Map<Integer, String> concepts,
            Map<Integer, BufferedImage> attributePictures) {
        Font title = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(small);
        int labelWidth = fm.stringWidth("attribute 000");
        for (int j : e.top()) {
            labelWidth = Math.max(labelWidth, fm.stringWidth(label(j, concepts)));
        }
        int valueWidth = fm.stringWidth("+0.000e+00") + 8;
        pg.dispose();

        BufferedImage sample = Pictures.fromTensor(slice(x, e.sample(), e.sample() + 1), 0);
        double s = INPUT_SIDE / (double) Math.max(sample.getWidth(), sample.getHeight());
        int inW = (int) Math.round(sample.getWidth() * s);
        int inH = (int) Math.round(sample.getHeight() * s);
        int inputTop = HEADER + 18;
        int chartX = GAP + Math.max(inW, INPUT_SIDE) + 2 * GAP;
        int trackX = chartX + labelWidth + GAP;
        int pictureX = trackX + TRACK_WIDTH + GAP + valueWidth;
        int width = pictureX + PICTURE_WIDTH + GAP;
        int height = Math.max(inputTop + inH, HEADER + e.top().length * ROW) + GAP;

        BufferedImage canvas = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(title);
        g.drawString(String.format(Locale.ROOT, "sample %d: f says class %d (p %.3f), g says class %d", e.sample(),
                e.fClass(), e.fProbability(), e.gClass()), GAP, 18);
        g.drawString(String.format(Locale.ROOT, "top %d attributes by alpha_j = Phi_j * W[%d][j]", e.top().length,
                e.gClass()), chartX, 36);
        g.setFont(small);
        g.drawString("input", GAP, inputTop - 4);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, s >= 1 ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR
                : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(sample, GAP, inputTop, inW, inH, null);

        double bound = 0;
        for (int j : e.top()) {
            bound = Math.max(bound, Math.abs(e.alpha()[j]));
        }
        bound = bound == 0 ? 1 : bound;
        Color track = new Color(TRACK_RGB);
        int barWidth = TRACK_WIDTH - 2 * INSET;
        for (int k = 0; k < e.top().length; k++) {
            int j = e.top()[k];
            float alpha = e.alpha()[j];
            int rowTop = HEADER + k * ROW;
            int trackY = rowTop + (ROW - TRACK_HEIGHT) / 2;
            g.setColor(Color.BLACK);
            g.drawString(label(j, concepts), chartX, trackY + 12);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "Phi %.3g", e.phi()[j]), chartX, trackY + 27);
            g.setColor(track);
            g.fillRect(trackX, trackY, TRACK_WIDTH, TRACK_HEIGHT);
            int length = (int) Math.round(barWidth * Math.abs(alpha) / bound);
            g.setColor(new Color(DivergingColors.rgb(alpha >= 0 ? 0.85 : -0.85)));
            g.fillRect(trackX + INSET, trackY + INSET, length, TRACK_HEIGHT - 2 * INSET);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%+.3g", alpha), trackX + TRACK_WIDTH + 6, trackY + 19);
            BufferedImage picture = attributePictures.get(j);
            if (picture == null) {
                g.setColor(Color.GRAY);
                g.drawString("(no picture of attribute " + j + ")", pictureX, trackY + 19);
            } else {
                double f = Math.min(PICTURE_WIDTH / (double) picture.getWidth(), (ROW - 8) / (double) picture.getHeight());
                int pw = Math.max(1, (int) Math.round(picture.getWidth() * f));
                int ph = Math.max(1, (int) Math.round(picture.getHeight() * f));
                g.drawImage(shrink(picture, pw, ph), pictureX, rowTop + (ROW - ph) / 2, null);
            }
        }
        g.dispose();
        return canvas;
    }
}
