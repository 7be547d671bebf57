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
 * {@code candor bench spark}: {@code evaluate} (or {@code explain}) on this machine against the same on
 * Spark at local[1] and local[2], each end to end (reading the model and data; on Spark also starting and
 * stopping the session), and for evaluate whether all three give the same metrics.
 */
@Command(name = "spark", mixinStandardHelpOptions = true,
        description = {"Times evaluate as the plain command runs it and on Spark at local[1] and local[2], on the same",
            "model and split, end to end (Spark's times include starting and stopping its session). --job explain",
            "times explaining the split instead: on this machine, the explainer on each batch of 256 and the",
            "attributions written as one .npy; on Spark, explain --spark with its Parquet, summary and heatmaps. Reports the",
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

    @Option(names = "--job", defaultValue = "evaluate", paramLabel = "evaluate|explain",
            description = "What to time (default ${DEFAULT-VALUE}).")
    String job;

    @Option(names = "--method", defaultValue = "cd", description = "--job explain: the method (default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed runs of each (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--work", defaultValue = "bench-spark", paramLabel = "DIR",
            description = "Where the default data and model go (default ${DEFAULT-VALUE}).")
    Path work;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        OptionChecks.of(spec).positive("--repeats", repeats).oneOf("--job", job, List.of("evaluate", "explain"))
                .onlyWhen("--method", job.equals("explain"), "--job explain")
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
        out.printf("%s %s on %s/%s, %d timed runs each after a warm-up%n", job.equals("explain") ? "explain (" + method + ")"
                : "evaluate", model.getFileName(), data.getFileName(), split, repeats);
        out.printf("%-22s %12s %12s %10s%n", "run", "cold (s)", "median (s)", "overhead");
        if (job.equals("explain")) {
            return explainBench(out, spark);
        }
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

    /** explain over the split: the explainer batch by batch here, then on Spark; each run writes a fresh folder. */
    private int explainBench(PrintWriter out, SparkJobs spark) {
        ExplainCommand options = new ExplainCommand();
        new picocli.CommandLine(options).parseArgs("--model", model.toString(), "--data", data.toString(), "--method", method,
                "--out", work.toString());
        SparkJobs.ExplainSettings settings = options.settings();
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        Supplier<Path> fresh = () -> work.resolve("explain-run-" + runs.incrementAndGet());
        List<Object> ignored = new ArrayList<>();
        double plain = time(out, "plain (batches here)", () -> explainHere(settings, fresh.get()), ignored, Double.NaN);
        for (String master : List.of("local[1]", "local[2]")) {
            time(out, "spark " + master, () -> spark.explain(master, model, data, split, settings, fresh.get()), ignored, plain);
        }
        for (int i = 1; i <= runs.get(); i++) {
            deleteTree(work.resolve("explain-run-" + i));
        }
        return 0;
    }

    /** The explainer on each batch of the split, as explain --spark's tasks run it, the attributions written as one .npy. */
    private List<String> explainHere(SparkJobs.ExplainSettings settings, Path out) {
        io.candor.models.data.DatasetSplit all = DatasetFolder.read(data, split);
        List<float[]> parts = new ArrayList<>();
        long[] shape = null;
        try (Executor executor = Executor.of(OnnxReader.read(model))) {
            for (int from = 0; from < all.size(); from += settings.batchSize()) {
                int[] rows = java.util.stream.IntStream.range(from, (int) Math.min(all.size(), from + settings.batchSize())).toArray();
                try (ai.djl.ndarray.NDManager m = io.candor.interop.exec.Engines.newManager()) {
                    ai.djl.ndarray.NDArray mask = all.mask() == null ? null
                            : io.candor.finetune.SpuriousMasks.perSample(all) ? all.mask().rows(rows).toNDArray(m) : all.mask().toNDArray(m);
                    ai.djl.ndarray.NDArray a = io.candor.attribution.Explainer.explain(io.candor.attribution.ExecutorModel.of(executor),
                            m, all.x().rows(rows).toNDArray(m), settings.options(mask)).attributions();
                    shape = a.getShape().getShape();
                    parts.add(a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray());
                }
            }
        }
        int total = parts.stream().mapToInt(p -> p.length).sum();
        float[] allValues = new float[total];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, allValues, at, p.length);
            at += p.length;
        }
        shape[0] = all.size();
        io.candor.interop.tensor.Npy.write(out.resolve("attributions.npy"), io.candor.interop.tensor.HostTensor.ofFloats(shape, allValues));
        return List.of("attributions.npy");
    }

    private static void deleteTree(Path dir) {
        try (var paths = java.nio.file.Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // a run folder left behind is only disk space
        }
    }

    /** Times a run: one cold, then the median of the repeats; prints the line and returns the median. */
    private <T> double time(PrintWriter out, String name, Supplier<T> run, List<? super T> results, double plain) {
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
