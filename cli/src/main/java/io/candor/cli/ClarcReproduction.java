package io.candor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs {@code candor reproduce clarc}: per benchmark and seed, makes the data once, trains the biased
 * model, applies every repair to it, and measures each model on the clean and attacked splits, with CD's
 * share of the artifact on the attacked one. All through Candor's own commands (see {@link Reproduction}).
 */
final class ClarcReproduction {
    /** Epochs of every fine-tuning (and of A-ClArC's). */
    static final int EPOCHS = 3;

    private final Reproduction reproduction;
    private final Path out;
    private final PrintWriter pw;

    ClarcReproduction(Reproduction reproduction, Path out, PrintWriter pw) {
        this.reproduction = reproduction;
        this.out = out;
        this.pw = pw;
    }

    /** What one model measured. */
    record Measured(double cleanAccuracy, double cleanMeasure, double attackedAccuracy, double attackedMeasure,
            double cdShare, Map<String, Double> others, double seconds) {
    }

    /** The rows of one benchmark: the biased model first, then each repair; each row holds one entry per seed. */
    List<Map<String, Object>> run(ClarcBenchmarks.Benchmark b, int seeds) {
        pw.printf("%s: making the data%n", b.name());
        pw.flush();
        Path data = reproduction.makeData(b.name(), b.make());
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Measured> biased = new ArrayList<>();
        List<List<String>> trained = new ArrayList<>();
        for (int seed = 0; seed < seeds; seed++) {
            Path model = model(b, "biased", seed);
            List<String> args = new ArrayList<>(List.of("train", "--data", data.toString()));
            args.addAll(b.train());
            args.addAll(List.of("--seed", Integer.toString(seed), "--out", model.toString()));
            biased.add(runAndMeasure(b, "biased", seed, args, data, model));
            trained.add(args);
        }
        rows.add(row(b, "biased (vanilla training)", null, null, trained.get(0), biased, biased));
        for (ClarcBenchmarks.Repair r : b.repairs()) {
            List<Measured> measured = new ArrayList<>();
            List<String> first = null;
            for (int seed = 0; seed < seeds; seed++) {
                String slug = slug(r);
                Path model = model(b, slug, seed);
                List<String> args = r.command(b, model(b, "biased", seed).toString(), data.toString(), EPOCHS,
                        out.resolve("cache").toString(), seed, model.toString());
                measured.add(runAndMeasure(b, slug, seed, args, data, model));
                first = first == null ? args : first;
            }
            rows.add(row(b, r.name(), r.layer(), r.lambda(), first, measured, biased));
        }
        return rows;
    }

    private Path model(ClarcBenchmarks.Benchmark b, String slug, int seed) {
        return out.resolve("models").resolve(b.name() + "-" + slug + "-seed" + seed + ".onnx");
    }

    private static String slug(ClarcBenchmarks.Repair r) {
        String name = r.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return name + "-" + r.layer().replaceAll("[^A-Za-z0-9]+", "_");
    }

    private Measured runAndMeasure(ClarcBenchmarks.Benchmark b, String slug, int seed, List<String> args, Path data,
            Path model) {
        String name = b.name() + "-" + slug + "-seed" + seed;
        pw.printf("  %-46s", name);
        pw.flush();
        long start = System.nanoTime();
        reproduction.candor(name, args);
        double seconds = (System.nanoTime() - start) / 1e9;
        JsonNode clean = Reproduction.evaluate(model, data, b.clean());
        JsonNode attacked = Reproduction.evaluate(model, data, b.attacked(), "--cd-share");
        Map<String, Double> others = new LinkedHashMap<>();
        for (String split : b.others()) {
            others.put(split, Reproduction.evaluate(model, data, split).get("accuracy").asDouble());
        }
        Measured m = new Measured(clean.get("accuracy").asDouble(), measure(b, clean),
                attacked.get("accuracy").asDouble(), measure(b, attacked),
                attacked.get("cdShare").get("share").asDouble(), others, seconds);
        pw.printf(Locale.ROOT, " %s %5.1f%%, %s %s %5.1f%%, CD share %4.1f%%  (%.0f s)%n", b.clean(), 100 * m.cleanAccuracy(),
                b.attacked(), b.measure(), 100 * m.attackedMeasure(), 100 * m.cdShare(), seconds);
        return m;
    }

    /** The focus class's recall, or accuracy. */
    private static double measure(ClarcBenchmarks.Benchmark b, JsonNode evaluation) {
        return b.focusClass() < 0 ? evaluation.get("accuracy").asDouble()
                : evaluation.get("perClassAccuracy").get(b.focusClass()).asDouble();
    }

    /**
     * A row: means over seeds, and per seed the share of the lost measure a repair recovers,
     * (after - biased on attacked) / (biased on clean - biased on attacked), and the change of clean
     * accuracy, each against the same seed's biased model.
     */
    static Map<String, Object> row(ClarcBenchmarks.Benchmark b, String method, String layer, Float lambda,
            List<String> command, List<Measured> measured, List<Measured> biased) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("benchmark", b.name());
        row.put("method", method);
        row.put("layer", layer);
        row.put("lambda", lambda);
        row.put("cleanAccuracy", mean(measured, Measured::cleanAccuracy));
        row.put("attackedAccuracy", mean(measured, Measured::attackedAccuracy));
        row.put("attackedMeasure", mean(measured, Measured::attackedMeasure));
        row.put("cdShare", mean(measured, Measured::cdShare));
        Map<String, Double> others = new LinkedHashMap<>();
        for (String split : b.others()) {
            others.put(split, mean(measured, m -> m.others().get(split)));
        }
        row.put("others", others);
        List<Double> recovered = new ArrayList<>();
        List<Double> cleanChange = new ArrayList<>();
        for (int s = 0; s < measured.size(); s++) {
            Measured before = biased.get(s);
            double lost = before.cleanMeasure() - before.attackedMeasure();
            recovered.add(lost <= 0 ? Double.NaN : (measured.get(s).attackedMeasure() - before.attackedMeasure()) / lost);
            cleanChange.add(measured.get(s).cleanAccuracy() - before.cleanAccuracy());
        }
        row.put("recovered", recovered.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        row.put("cleanChange", cleanChange.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        row.put("perSeed", measured);
        row.put("seconds", mean(measured, Measured::seconds));
        row.put("command", InProcessCandor.typed(command));
        return row;
    }

    private static double mean(List<Measured> measured, java.util.function.ToDoubleFunction<Measured> f) {
        return measured.stream().mapToDouble(f).average().orElse(Double.NaN);
    }
}
