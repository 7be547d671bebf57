package io.candor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.tensor.HostTensor;
import io.candor.interpreter.AttributePictures;
import io.candor.interpreter.ExplanationPicture;
import io.candor.interpreter.InterpreterGraph;
import io.candor.interpreter.LocalExplanation;
import io.candor.interpreter.LocalExplanation.Contribution;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code candor interpret explain}: FLINT's local explanation of single predictions ({@link LocalExplanation})
 * with the dictionary that {@code candor interpret} wrote ({@link InterpreterFolder}). Writes
 * {@code DIR/explanations.json} ({@link ExplanationsJson}) and, for image inputs, one
 * {@link ExplanationPicture} per sample. Everything is checked and computed before the first file is written.
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
    /** Samples described on the terminal; the JSON has them all. */
    private static final int PRINTED = 10;

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

    @Override
    public Integer call() throws IOException {
        OptionChecks.of(spec).positive("--top", top).noParentOptions();
        InterpreterFolder.requireFiles(interpreter);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new CandorException("--out: " + out + " is a file, not a folder");
        }
        InterpreterFolder folder = InterpreterFolder.read(interpreter);
        if (top > folder.attributes()) {
            throw new ParameterException(spec.commandLine(), "--top " + top + " exceeds the " + folder.attributes()
                    + " attributes of the dictionary");
        }
        HostTensor x = SampleInput.read(input, folder.singleInput());

        long start = System.nanoTime();
        List<LocalExplanation> explained = explain(folder, x);
        boolean pictured = AttributePictures.drawable(x);
        Map<Integer, BufferedImage> attributePictures = pictured ? folder.attributePictures(shown(explained)) : Map.of();
        Files.createDirectories(out);
        if (pictured) {
            for (LocalExplanation e : explained) {
                AttributePictures.writePng(out.resolve(ExplanationPicture.fileName(e.sample())),
                        ExplanationPicture.draw(x, e, attributePictures));
            }
        }
        AtomicFiles.writeString(out.resolve("explanations.json"), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(ExplanationsJson.of(explained, top, folder, input, pictured)));
        report(explained, pictured, start);
        return 0;
    }

    /** One pass of the merged model gives f's output, Phi and g's logits; their widths must be the head's. */
    private List<LocalExplanation> explain(InterpreterFolder folder, HostTensor x) {
        String fOutput = folder.modelOutput();
        float[][][] outputs = BatchedOutputs.run(folder.model(), folder.singleInput().name(), x,
                List.of(fOutput, InterpreterGraph.ATTRIBUTES, InterpreterGraph.LOGITS));
        requireWidth(fOutput, outputs[0], folder.classes());
        requireWidth(InterpreterGraph.LOGITS, outputs[2], folder.classes());
        requireWidth(InterpreterGraph.ATTRIBUTES, outputs[1], folder.attributes());
        return LocalExplanation.explain(outputs[0], folder.modelOutputIsProbability(), outputs[1], outputs[2],
                folder.headWeight(), folder.concepts(), top);
    }

    private static void requireWidth(String output, float[][] values, int width) {
        if (values[0].length != width) {
            throw new CandorException("the output '" + output + "' has " + values[0].length + " values per sample, but the"
                    + " head has " + width);
        }
    }

    /** The attributes some sample shows, in the order they are first shown. */
    private static Set<Integer> shown(List<LocalExplanation> explained) {
        return explained.stream().flatMap(e -> e.top().stream()).map(Contribution::attribute)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private void report(List<LocalExplanation> explained, boolean pictured, long start) {
        PrintWriter pw = spec.commandLine().getOut();
        int n = explained.size();
        for (LocalExplanation e : explained.subList(0, Math.min(PRINTED, n))) {
            String top = e.top().stream().map(c -> c.label() + String.format(Locale.ROOT, " %+.3g", c.alpha()))
                    .collect(Collectors.joining(", "));
            pw.printf(Locale.ROOT, "sample %d: f class %d (p %.3f), g class %d; top: %s%n", e.sample(), e.fClass(),
                    e.fProbability(), e.gClass(), top);
        }
        if (n > PRINTED) {
            pw.printf("... and %d more samples%n", n - PRINTED);
        }
        pw.printf(Locale.ROOT, "wrote %s%s for %d sample%s (%.1f s)%s%n", out.resolve("explanations.json"),
                pictured ? " and sample_N.png" : "", n, n > 1 ? "s" : "", (System.nanoTime() - start) / 1e9,
                pictured ? "" : "; the inputs are not pictures, so no PNG");
        pw.flush();
    }
}
