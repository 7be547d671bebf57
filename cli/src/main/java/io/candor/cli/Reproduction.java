package io.candor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the commands of a reproduction in this process, exactly as a user would type them (so every row
 * of the results can be rerun by hand), keeps each command's output in a log, and collects accuracy,
 * time per epoch and peak memory.
 */
final class Reproduction {
    private final Path out;
    private final PrintWriter progress;
    private final ObjectMapper json = new ObjectMapper();
    private final long start = System.nanoTime();

    Reproduction(Path out, PrintWriter progress) {
        this.out = out;
        this.progress = progress;
    }

    /** Makes a benchmark's data with {@code candor data make NAME} and these options, under {@code data/NAME}. */
    Path makeData(String benchmark, List<String> options) {
        Path data = out.resolve("data").resolve(benchmark);
        List<String> make = new java.util.ArrayList<>(List.of("data", "make", benchmark, "--out", data.toString()));
        make.addAll(options);
        candor(benchmark + "-data", make);
        return data;
    }

    /** The results' head: whether the run was quick and how many seeds it took. */
    Map<String, Object> results(boolean quick, int seeds) {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("quick", quick);
        results.put("seeds", seeds);
        return results;
    }

    /** Adds the minutes taken, writes {@code results.json} and {@code results.md}, and says where they are. */
    void finish(Map<String, Object> results, java.util.function.Function<Map<String, Object>, String> markdown) {
        double minutes = (System.nanoTime() - start) / 6e10;
        results.put("minutes", minutes);
        writeJson(results);
        Path md = out.resolve("results.md");
        AtomicFiles.writeString(md, markdown.apply(results));
        progress.printf("wrote %s and %s (%.1f minutes)%n", md, out.resolve("results.json"), minutes);
    }

    /**
     * What one trained model measured.
     *
     * @param followed the swap test's share on the validation split (how often the prediction follows
     *     another sample's spurious part), or null where it marks nothing
     */
    record Run(double accuracy, Double followed, double secondsPerEpoch, Double peakMiB, List<String> command) {
        /** The model the command wrote (its --out, the last argument). */
        Path model() {
            return Path.of(command.get(command.size() - 1));
        }
    }

    /** Runs a candor command; its output goes to {@code logs/NAME.log}; a failure stops the reproduction. */
    void candor(String name, List<String> args) {
        Path log = out.resolve("logs").resolve(name + ".log");
        StringWriter text = new StringWriter();
        int code;
        try (PrintWriter pw = new PrintWriter(text)) {
            pw.println("$ " + InProcessCandor.typed(args));
            code = Candor.run(args.toArray(String[]::new), pw, pw);
        }
        try {
            Files.createDirectories(log.getParent());
            AtomicFiles.writeString(log, text.toString());
        } catch (IOException e) {
            throw new CandorException("cannot write " + log + ": " + e.getMessage(), e);
        }
        if (code != 0) {
            throw new CandorException("'" + InProcessCandor.typed(args) + "' failed (exit " + code + "); see " + log);
        }
    }

    /** Trains (or fine-tunes) with {@code args}, which must end in --out MODEL, and measures {@code split}. */
    Run train(String name, List<String> args, Path data, String split) {
        Path model = Path.of(args.get(args.size() - 1));
        progress.printf("  %-34s", name);
        progress.flush();
        boolean measured = PeakMemory.reset();
        long start = System.nanoTime();
        candor(name, args);
        Double peak = measured ? PeakMemory.mebibytes() : null;
        double accuracy = evaluate(model, data, split).get("accuracy").asDouble();
        JsonNode swap = evaluate(model, data, "val").get("swapTest");
        Double followed = swap == null || swap.isNull() ? null : swap.get("followed").asDouble();
        try {
            double perEpoch = secondsPerEpoch(TrainCommand.sibling(model, ".metrics.json"));
            progress.printf(" %6.2f%%  (%.0f s)%n", 100 * accuracy, (System.nanoTime() - start) / 1e9);
            return new Run(accuracy, followed, perEpoch, peak, args);
        } catch (IOException e) {
            throw new CandorException("cannot read the metrics of " + model + ": " + e.getMessage(), e);
        }
    }

    /** {@code candor evaluate --json} on one split, with any further options. */
    static JsonNode evaluate(Path model, Path data, String split, String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("evaluate", "--model", model.toString(), "--data",
                data.toString(), "--split", split, "--json"));
        args.addAll(List.of(options));
        return InProcessCandor.json(args);
    }

    private double secondsPerEpoch(Path metrics) throws IOException {
        JsonNode epochs = json.readTree(metrics.toFile());
        double sum = 0;
        for (JsonNode e : epochs) {
            sum += e.get("seconds").asDouble();
        }
        return epochs.size() == 0 ? Double.NaN : sum / epochs.size();
    }

    /** One row of the table: a method on a benchmark over seeds. */
    static Map<String, Object> row(String benchmark, CdepBenchmarks.Method method, List<Run> runs) {
        double mean = runs.stream().mapToDouble(Run::accuracy).average().orElse(Double.NaN);
        double var = runs.stream().mapToDouble(r -> (r.accuracy() - mean) * (r.accuracy() - mean)).sum()
                / Math.max(1, runs.size() - 1);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("benchmark", benchmark);
        row.put("method", method.name());
        row.put("penalty", method.penalty());
        row.put("lambda", method.lambda());
        row.put("accuracies", runs.stream().map(Run::accuracy).toList());
        row.put("mean", mean);
        row.put("std", runs.size() > 1 ? Math.sqrt(var) : 0.0);
        List<Double> followed = runs.stream().map(Run::followed).filter(java.util.Objects::nonNull).toList();
        row.put("swapFollowed", followed.isEmpty() ? null : followed.stream().mapToDouble(Double::doubleValue).average()
                .orElse(Double.NaN));
        row.put("secondsPerEpoch", runs.stream().mapToDouble(Run::secondsPerEpoch).average().orElse(Double.NaN));
        row.put("peakMiB", runs.stream().map(Run::peakMiB).filter(java.util.Objects::nonNull)
                .max(Double::compare).orElse(null));
        row.put("command", InProcessCandor.typed(runs.get(0).command()));
        return row;
    }

    private void writeJson(Object results) {
        Path file = out.resolve("results.json");
        try {
            AtomicFiles.writeString(file, json.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(results));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CandorException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

}
