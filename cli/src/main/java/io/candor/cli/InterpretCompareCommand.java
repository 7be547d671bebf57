package io.candor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interpreter.FlintMetrics;
import io.candor.interpreter.HeadFit;
import io.candor.interpreter.InterpreterGraft;
import io.candor.interpreter.InterpreterGraph;
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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code candor interpret compare}: how other models use one dictionary's attributes. The attributes
 * stay the dictionary's; a linear head is fitted anew to each model's outputs ({@link HeadFit}) on the
 * same samples, the dictionary's own model first, so that the weights of a concept before and after a
 * repair come from one procedure on one set of attributes, and re-learning the dictionary (whose
 * attributes differ from run to run) does not blur the change.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compares how models use the attributes of one dictionary.", "",
            "Grafts the dictionary's attribute network onto each --model at the same taps, keeps it",
            "fixed, and fits a linear head to each model's outputs on one split (FLINT's output",
            "fidelity with L1; Adam, 500 full-batch steps), the dictionary's own model first. A concept's",
            "weights per class then say how much each model's predictions follow that concept's",
            "attribute. Fit on a split where the concept varies apart from the class (the generators'",
            "'concepts' split, the default where there is one): where the two go together, as a decoy",
            "and its class do in train, a head may use either and the weight means little.", "",
            "The attributes mean the same for every model only if the taps are unchanged: models",
            "fine-tuned after the taps (candor finetune --cut after them). The command measures it and",
            "says so when they differ.", "",
            "Prints the table and writes it to --out as JSON: per model its accuracy and the head's",
            "fidelity on the split, the change of the attributes against the dictionary's model, and",
            "for each concept its weight per class and mean |weight|."})
final class InterpretCompareCommand implements Callable<Integer> {
    /** Attributes that differ by less than this share of their largest value count as the same. */
    private static final double SAME_ATTRIBUTES = 1e-4;

    @Option(names = "--interpreter", required = true, paramLabel = "OUT",
            description = "The folder 'candor interpret --out OUT' wrote.")
    Path interpreter;

    @Option(names = "--model", required = true, paramLabel = "MODEL.onnx",
            description = "A model to compare with the dictionary's own; repeat for several.")
    List<Path> models;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "A dataset folder.")
    Path data;

    @Option(names = "--split", paramLabel = "NAME",
            description = "The split to fit on (default: 'concepts' where --data has it, else 'test').")
    String split;

    @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "Where to write the comparison.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        OptionChecks.of(spec).noParentOptions();
        InterpreterFolder.requireFiles(interpreter);
        if (Files.isDirectory(out)) {
            throw new CandorException("--out: " + out + " is a folder; give the JSON file to write");
        }
        InterpreterFolder folder = InterpreterFolder.read(interpreter);
        OnnxModel alone = folder.interpreterAlone();
        String chosen = split != null ? split : DatasetFolder.conceptsSplitOr(data, "test");
        DatasetSplit samples = DatasetFolder.read(data, chosen);
        List<Candidate> candidates = new ArrayList<>();
        candidates.add(new Candidate(folder.interpretedModel() + " (the dictionary's)", folder.model(), folder.modelOutput()));
        for (Path path : models) {
            OnnxModel model = OnnxReader.read(path);
            candidates.add(new Candidate(path.toString(), InterpreterGraft.attached(model, alone),
                    model.graph().outputs().get(0).name()));
        }
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf("fitting a head on %d samples of %s for %d models%n", samples.size(), data.resolve(chosen), candidates.size());
        pw.flush();
        HeadFit fit = HeadFit.standard();
        List<Map<String, Object>> rows = new ArrayList<>();
        float[][] reference = null;
        for (Candidate c : candidates) {
            float[][][] outputs = BatchedOutputs.run(c.merged(), c.merged().graph().inputs().get(0).name(), samples.x(),
                    List.of(c.output(), InterpreterGraph.ATTRIBUTES));
            float[][] f = outputs[0];
            float[][] phi = outputs[1];
            if (f[0].length != folder.classes()) {
                throw new CandorException(c.label() + " gives " + f[0].length + " values per sample; the dictionary's head has "
                        + folder.classes() + " classes");
            }
            reference = reference == null ? phi : reference;
            HeadFit.Head head = fit.fit(phi, InterpreterFolder.isProbability(c.merged(), c.output()) ? f : HeadFit.softmax(f));
            rows.add(row(c, samples, f, phi, head, change(reference, phi), folder.concepts()));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("interpreter", interpreter.toString());
        result.put("data", data.resolve(chosen).toString());
        result.put("samples", samples.size());
        result.put("fit", "HeadFit: Adam 0.05, 500 full-batch steps, L1 0.001, on fixed attributes");
        result.put("models", rows);
        AtomicFiles.writeString(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
        print(pw, rows, folder.concepts());
        pw.printf("wrote %s%n", out);
        pw.flush();
        return 0;
    }

    /** A model with the interpreter grafted on, and the name of the model's own output. */
    private record Candidate(String label, OnnxModel merged, String output) {
    }

    private static Map<String, Object> row(Candidate c, DatasetSplit samples, float[][] f, float[][] phi, HeadFit.Head head,
            double change, Map<Integer, String> concepts) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("model", c.label());
        row.put("accuracy", FlintMetrics.accuracy(f, samples.labels()));
        row.put("fidelity", FlintMetrics.fidelity(f, head.logits(phi)));
        row.put("attributeChange", change);
        row.put("sameAttributes", change <= SAME_ATTRIBUTES);
        double[] meanAbs = meanAbsByAttribute(head.weight());
        row.put("meanAbsWeight", meanAbs);
        List<Map<String, Object>> bound = new ArrayList<>();
        concepts.forEach((attribute, name) -> {
            Map<String, Object> concept = new LinkedHashMap<>();
            concept.put("name", name);
            concept.put("attribute", attribute);
            float[] weights = new float[head.weight().length];
            for (int k = 0; k < weights.length; k++) {
                weights[k] = head.weight()[k][attribute];
            }
            concept.put("weights", weights);
            concept.put("meanAbsWeight", meanAbs[attribute]);
            bound.add(concept);
        });
        row.put("concepts", bound);
        return row;
    }

    /** max |phi - reference| over max |reference|: 0 when the taps, and so the attributes, are unchanged. */
    private static double change(float[][] reference, float[][] phi) {
        double diff = 0;
        double scale = 0;
        for (int n = 0; n < phi.length; n++) {
            for (int j = 0; j < phi[n].length; j++) {
                diff = Math.max(diff, Math.abs(phi[n][j] - reference[n][j]));
                scale = Math.max(scale, Math.abs(reference[n][j]));
            }
        }
        return scale == 0 ? diff : diff / scale;
    }

    private static double[] meanAbsByAttribute(float[][] w) {
        double[] mean = new double[w[0].length];
        for (float[] row : w) {
            for (int j = 0; j < row.length; j++) {
                mean[j] += Math.abs(row[j]) / w.length;
            }
        }
        return mean;
    }

    private static void print(PrintWriter pw, List<Map<String, Object>> rows, Map<Integer, String> concepts) {
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-9s %-9s", "accuracy", "fidelity"));
        concepts.values().forEach(name -> header.append(String.format(Locale.ROOT, " %14s", name)));
        pw.println(header.append("  (concepts: mean |weight| over the classes)  model"));
        for (Map<String, Object> row : rows) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%7.2f%%  %7.2f%% ",
                    100 * (double) row.get("accuracy"), 100 * (double) row.get("fidelity")));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> bound = (List<Map<String, Object>>) row.get("concepts");
            bound.forEach(c -> line.append(String.format(Locale.ROOT, " %14.3f", (double) c.get("meanAbsWeight"))));
            line.append("  ").append(row.get("model"));
            if (!(boolean) row.get("sameAttributes")) {
                line.append(String.format(Locale.ROOT, "  [its taps differ: attributes change by %.2g of their range, so"
                        + " they do not mean quite the same]", (double) row.get("attributeChange")));
            }
            pw.println(line);
        }
    }
}
