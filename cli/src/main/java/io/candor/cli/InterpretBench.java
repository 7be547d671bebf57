package io.candor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code candor bench interpret}: issue #9's speed case, run through the commands a user types: decoy
 * digits without patches, a CNN trained on them, then {@code candor interpret} on the tap after the
 * second convolution block; it prints the tap caching time, the time per epoch and the whole command's.
 */
@Command(name = "interpret", mixinStandardHelpOptions = true,
        description = {"Times post-hoc FLINT: makes --samples decoy digits without patches, trains the MNIST CNN on",
            "them (2 epochs, not timed), then times 'candor interpret --taps pool2 --attributes 25' with",
            "--epochs epochs: the tap caching, each epoch and the whole command, and prints its fidelity."})
final class InterpretBench implements Callable<Integer> {
    @Option(names = "--samples", defaultValue = "20000", description = "Training digits (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--epochs", defaultValue = "12", description = "Interpreter epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--keep", paramLabel = "DIR", description = "Work in DIR and keep it (default: a temporary folder, removed).")
    Path keep;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        OptionChecks.of(spec).positive("--samples", samples).positive("--epochs", epochs);
        PrintWriter pw = spec.commandLine().getOut();
        Path dir = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("candor-bench-interpret");
        boolean done = false;
        try {
            Reproduction r = new Reproduction(dir, pw);
            Path data = dir.resolve("digits");
            Path model = dir.resolve("cnn.onnx");
            r.candor("data", List.of("data", "make", "decoy-digits", "--no-decoys", "--out", data.toString(), "--n-train",
                    Integer.toString(samples), "--n-val", "1000", "--n-test", "2000"));
            r.candor("train", List.of("train", "--data", data.toString(), "--epochs", "2", "--out", model.toString()));
            long start = System.nanoTime();
            r.candor("interpret", List.of("interpret", "--model", model.toString(), "--data", data.toString(), "--taps",
                    "pool2", "--epochs", Integer.toString(epochs), "--out", dir.resolve("dictionary").toString()));
            double seconds = (System.nanoTime() - start) / 1e9;
            String log = Files.readString(dir.resolve("logs").resolve("interpret.log"));
            log.lines().filter(l -> l.startsWith("cached tap") || l.startsWith("test:") || l.contains("epoch " + epochs + ":"))
                    .forEach(pw::println);
            double perEpoch = log.lines().filter(l -> l.trim().startsWith("epoch "))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf('(') + 1, l.lastIndexOf(" s)")).replace(',', '.')))
                    .average().orElse(Double.NaN);
            pw.printf("interpret on %d digits, J = 25, %d epochs: %.1f s per epoch, %.1f s in all (caching included)%n",
                    samples, epochs, perEpoch, seconds);
            done = true;
            return 0;
        } finally {
            if (keep == null && done) { // a failed run keeps its logs for the error to point at
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
