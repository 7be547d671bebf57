package io.candor.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.candor.finetune.clarc.ConceptDirection;
import io.candor.finetune.clarc.ProjectionGraph;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.onnx.OnnxWriter;
import io.candor.interop.ort.OrtModel;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import io.candor.models.data.DatasetSplit;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
 * {@code candor clarc}: repairs a model from sample labels alone, without masks (P-ClArC). The concept
 * activation vector comes from {@link ConceptDirection}; {@link ProjectionGraph} writes the projection
 * into the graph, so the repaired model needs no training and any ONNX runtime runs it.
 */
@Command(name = "clarc", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Removes an artifact's direction from a hidden tensor (ClArC): projected out with no training",
            "(--mode project, P-ClArC, the default) or trained away (--mode augment, A-ClArC).", "",
            "Computes the tensor --layer for every sample of a split, finds the direction v along which samples",
            "with the artifact differ from those without (the concept activation vector, CAV), and writes",
            "OUT.onnx: the model with a' = a - v v^T (a - z) after --layer, z the mean of the artifact-free",
            "samples, as six ordinary ONNX nodes. The artifact's direction is held at its artifact-free value;",
            "everything orthogonal to it passes unchanged.", "",
            "Which samples carry the artifact: the concept --concept of the split's concepts.npy, or without",
            "it, the samples whose mask.npy marks something. Fit on a split where the artifact varies apart",
            "from the class (the generators' 'concepts' split, the default where there is one): where the two",
            "go together, v mixes the class into the artifact and the projection removes some of both.", "",
            "Also writes OUT.cav.json (method, layer, split, probe accuracy on a held-out fifth, separation),",
            "OUT.cav.npy (v), OUT.mean-without.npy (z) and OUT.mean-with.npy."})
final class ClarcCommand implements Callable<Integer> {
    /** Samples checked in both runtimes after writing. */
    private static final int CHECKED = 16;

    @Option(names = "--mode", defaultValue = "project", paramLabel = "project|augment",
            description = {"project: P-ClArC, the projection written into the graph (default). augment: A-ClArC, the",
                "artifact's direction set to the artifact's mean for every sample while the layers after --layer",
                "are fine-tuned (--epochs); OUT.onnx is the original graph with the fine-tuned weights."})
    String mode;

    @Option(names = "--epochs", defaultValue = "3", description = "--mode augment: epochs of fine-tuning (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--cache", paramLabel = "DIR", description = "--mode augment: keep the frozen prefix's values here (see finetune).")
    Path cache;

    @Option(names = "--seed", defaultValue = "0", description = "--mode augment: the fine-tuning's seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--model", required = true, paramLabel = "MODEL.onnx", description = "The model to repair.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "A dataset folder.")
    Path data;

    @Option(names = "--layer", required = true, paramLabel = "TENSOR",
            description = "The hidden tensor to correct (names from candor inspect).")
    String layer;

    @Option(names = "--concept", paramLabel = "NAME",
            description = "The concept that marks the artifact (default: samples whose mask marks something).")
    String concept;

    @Option(names = "--cav", defaultValue = "signal", paramLabel = "signal|svm",
            description = {"signal: the covariance of the activations with the label (default); svm: a linear",
                "SVM's weight (LIBLINEAR)."})
    String cav;

    @Option(names = "--split", paramLabel = "NAME",
            description = "The split to fit on (default: 'concepts' where --data has it, else 'train').")
    String split;

    @Option(names = "--out", required = true, paramLabel = "OUT.onnx", description = "The repaired model to write.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        boolean augment = mode.equals("augment");
        OptionChecks.of(spec).oneOf("--mode", mode, List.of("project", "augment"))
                .oneOf("--cav", cav, List.of(ConceptDirection.SIGNAL, ConceptDirection.SVM))
                .onlyWhen("--epochs", augment, "--mode augment").onlyWhen("--cache", augment, "--mode augment")
                .onlyWhen("--seed", augment, "--mode augment").positive("--epochs", epochs);
        if (Files.isDirectory(out)) {
            throw new CandorException("--out: " + out + " is a folder; give the .onnx file to write");
        }
        PrintWriter pw = spec.commandLine().getOut();
        OnnxModel given = OnnxReader.read(model);
        ConceptActivations activations = ConceptActivations.of(given, data, split, layer, concept);
        float[][] rows = activations.rows();
        long[] sampleShape = activations.sampleShape();
        long d = rows[0].length;
        ConceptDirection direction = activations.direction(cav);
        pw.printf(Locale.ROOT, "CAV (%s) at %s %s from %d samples of %s (%d with the artifact): held-out probe accuracy %.3f,"
                + " the groups' means %.3g apart along it%n", cav, layer, Arrays.toString(sampleShape), rows.length,
                activations.split(), activations.withArtifact(), direction.probeAccuracy(), direction.separation());
        pw.flush();
        // P-ClArC holds the direction at the artifact-free mean; A-ClArC puts every sample at the artifact's.
        OnnxModel projected = OnnxReader.fromProto(ProjectionGraph.insert(given, layer, sampleShape, direction.v(),
                augment ? direction.meanWith() : direction.meanWithout()), null);
        Files.createDirectories(out.toAbsolutePath().getParent());
        OnnxModel repaired = augment ? fineTuneAugmented(given, projected, pw) : projected;
        double difference = runtimesAgree(repaired, activations.samples());
        OnnxWriter.write(repaired.proto(), out);
        Npy.write(TrainCommand.sibling(out, ".cav.npy"), HostTensor.ofFloats(new long[] {d}, direction.v()));
        Npy.write(TrainCommand.sibling(out, ".mean-without.npy"), HostTensor.ofFloats(new long[] {d}, direction.meanWithout()));
        Npy.write(TrainCommand.sibling(out, ".mean-with.npy"), HostTensor.ofFloats(new long[] {d}, direction.meanWith()));
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("mode", mode);
        about.put("model", model.toString());
        about.put("layer", layer);
        about.put("shape", sampleShape);
        about.put("artifact", concept != null ? "concept " + concept : "a non-empty mask");
        about.put("split", activations.split().toString());
        about.put("samples", rows.length);
        about.put("withArtifact", activations.withArtifact());
        about.put("cav", cav);
        about.put("probeAccuracy", direction.probeAccuracy());
        about.put("separation", direction.separation());
        about.put("runtimesMaxDifference", difference);
        AtomicFiles.writeString(TrainCommand.sibling(out, ".cav.json"),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(about));
        pw.printf(Locale.ROOT, "wrote %s (ONNX Runtime and Candor's executor agree to %.2g) and its .cav.json, .cav.npy,"
                + " .mean-without.npy, .mean-with.npy%n", out, difference);
        return 0;
    }

    /**
     * A-ClArC: fine-tunes what lies after the projection of the augmenting model (kept as
     * OUT.augmented.onnx; the run as OUT.tuned.*, by {@code candor finetune}), then puts the tuned weights
     * into the original graph: at inference the model sees its activations as they are.
     */
    private OnnxModel fineTuneAugmented(OnnxModel given, OnnxModel augmenting, PrintWriter pw) {
        Path augmented = TrainCommand.sibling(out, ".augmented.onnx");
        Path tuned = TrainCommand.sibling(out, ".tuned.onnx");
        OnnxWriter.write(augmenting.proto(), augmented);
        List<String> args = new java.util.ArrayList<>(List.of("finetune", "--model", augmented.toString(), "--data",
                data.toString(), "--cut", ProjectionGraph.output(layer), "--epochs", String.valueOf(epochs), "--seed",
                String.valueOf(seed)));
        if (cache != null) {
            args.addAll(List.of("--cache", cache.toString()));
        }
        args.addAll(List.of("--out", tuned.toString()));
        pw.println("$ " + InProcessCandor.typed(args));
        pw.flush();
        InProcessCandor.run(args, pw);
        Map<String, HostTensor> weights = new LinkedHashMap<>(OnnxReader.read(tuned).graph().initializers());
        weights.keySet().retainAll(given.graph().initializers().keySet());
        return OnnxReader.fromProto(OnnxWriter.withInitializers(given, weights), null);
    }

    /** The largest difference of the outputs of ONNX Runtime and Candor's executor on the first samples. */
    private static double runtimesAgree(OnnxModel repaired, DatasetSplit samples) {
        int n = (int) Math.min(CHECKED, samples.size());
        HostTensor x = samples.x().rows(java.util.stream.IntStream.range(0, n).toArray());
        String input = repaired.graph().inputs().get(0).name();
        String output = repaired.graph().outputs().get(0).name();
        float[] ort;
        try (OrtModel session = OrtModel.open(repaired)) {
            ort = session.run(Map.of(input, x), List.of(output)).get(output).toFloatArray();
        }
        float[] djl;
        try (Executor executor = Executor.of(repaired); NDManager m = Engines.newManager()) {
            djl = executor.run(m, Map.of(input, x.toNDArray(m)), List.of(output)).get(output).toFloatArray();
        }
        double max = 0;
        for (int i = 0; i < ort.length; i++) {
            max = Math.max(max, Math.abs(ort[i] - djl[i]));
        }
        return max;
    }
}
