package io.candor.cli;

import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxReader;
import io.candor.models.data.DatasetFolder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code candor bench spark}: {@code evaluate} on this machine against the same on Spark at local[1]
 * and local[2], each end to end (reading the model and data; on Spark also starting and stopping the
 * session), and whether all three give the same metrics.
 */
@Command(name = "spark", mixinStandardHelpOptions = true,
        description = {"Times evaluate as the plain command runs it and on Spark at local[1] and local[2], on the same",
            "model and split, end to end (Spark's times include starting and stopping its session). Reports the",
            "median of --repeats runs after one untimed warm-up of each, the first (cold) run, and Spark's overhead",
            "over the plain command. Without --model and --data it makes patch-lesions (4,000 test images of 64 x 64)",
            "and trains lesion-cnn for one epoch under --work first.", "",
            "Needs Spark on the class path: ./candor adds it for 'bench spark'."})
final class SparkBench implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "MODEL.onnx", description = "The model (default: one trained under --work).")
    Path model;

    @Option(names = "--data", paramLabel = "DIR", description = "A dataset folder (default: patch-lesions made under --work).")
    Path data;

    @Option(names = "--split", defaultValue = "test", description = "The split to evaluate (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed runs of each (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--work", defaultValue = "bench-spark", paramLabel = "DIR",
            description = "Where the default data and model go (default ${DEFAULT-VALUE}).")
    Path work;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        OptionChecks.of(spec).positive("--repeats", repeats)
                .require((model == null) == (data == null), "give both --model and --data, or neither");
        PrintWriter out = spec.commandLine().getOut();
        SparkJobs spark = SparkJobs.load();
        if (model == null) {
            data = work.resolve("data");
            model = work.resolve("lesion-cnn.onnx");
            out.println("making the data and a model under " + work + " ...");
            out.flush();
            InProcessCandor.run(List.of("data", "make", "patch-lesions", "--out", data.toString(), "--n-train", "500",
                    "--n-val", "100", "--n-test", "4000"), new PrintWriter(java.io.Writer.nullWriter()));
            InProcessCandor.run(List.of("train", "--arch", "lesion-cnn", "--data", data.toString(), "--epochs", "1", "--out",
                    model.toString()), new PrintWriter(java.io.Writer.nullWriter()));
        }
        out.printf("evaluate %s on %s/%s, %d timed runs each after a warm-up%n", model.getFileName(), data.getFileName(),
                split, repeats);
        out.printf("%-22s %12s %12s %10s%n", "run", "cold (s)", "median (s)", "overhead");
        List<SparkJobs.Evaluated> results = new ArrayList<>();
        double plain = time(out, "plain command", () -> {
            try (Executor executor = Executor.of(OnnxReader.read(model))) {
                return EvaluateCommand.here(executor, DatasetFolder.read(data, split), false);
            }
        }, results, Double.NaN);
        for (String master : List.of("local[1]", "local[2]")) {
            time(out, "spark " + master, () -> spark.evaluate(master, model, data, split, EvaluateCommand.BATCH, 0), results, plain);
        }
        boolean same = results.stream().allMatch(r -> r.sameAs(results.get(0)));
        out.printf("same metrics in all runs: %s%n", same ? "yes" : "NO");
        return same ? 0 : 1;
    }

    /** Times a run: one cold, then the median of the repeats; prints the line and returns the median. */
    private double time(PrintWriter out, String name, Supplier<SparkJobs.Evaluated> run, List<SparkJobs.Evaluated> results,
            double plain) {
        long start = System.nanoTime();
        results.add(run.get());
        double cold = (System.nanoTime() - start) / 1e9;
        double[] times = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            start = System.nanoTime();
            results.add(run.get());
            times[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(times);
        double median = times[repeats / 2];
        out.printf("%-22s %12.2f %12.2f %10s%n", name, cold, median,
                Double.isNaN(plain) ? "" : String.format("%+.0f%%", 100 * (median / plain - 1)));
        out.flush();
        return median;
    }
}
