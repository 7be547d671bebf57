package io.candor.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The results of {@code candor reproduce clarc} as Markdown: one table per benchmark and the verdict. */
final class ClarcResultsTable {
    /** What a repair may cost on the clean split, in accuracy, and how much of the lost measure it must win back. */
    static final double MAX_CLEAN_DROP = 0.02;
    static final double MIN_RECOVERED = 0.5;

    private ClarcResultsTable() {
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> results, List<ClarcBenchmarks.Benchmark> benchmarks) {
        StringBuilder md = new StringBuilder();
        boolean quick = (Boolean) results.get("quick");
        md.append("# Repairs from masks and from concept labels, compared (ClArC)").append(quick ? " (--quick)" : "")
                .append("\n\n");
        md.append(String.format(Locale.ROOT, "%d seed(s); %.1f minutes in all. Every repair starts from the biased model"
                + " and changes only what lies after its layer; fine-tunings run %d epochs. CDEP and RRR see the patch"
                + " masks; the ClArCs see only which samples of the concepts split carry the artifact. 'Recovered' is the"
                + " share of what the artifact cost on the attacked split that the repair wins back, against the same"
                + " seed's biased model. The CD share is the mean over the attacked split of |beta| / (|beta| + |gamma|)"
                + " for the predicted class, beta the artifact's part (`evaluate --cd-share`). Each row's command reruns"
                + " it; `logs/` holds every command's output.%n", results.get("seeds"), (Double) results.get("minutes"),
                ClarcReproduction.EPOCHS));
        Map<String, List<Map<String, Object>>> rows = (Map<String, List<Map<String, Object>>>) results.get("benchmarks");
        for (ClarcBenchmarks.Benchmark b : benchmarks) {
            List<Map<String, Object>> table = rows.get(b.name());
            if (table == null) {
                continue;
            }
            md.append("\n## ").append(b.name()).append("\n\n");
            StringBuilder header = new StringBuilder("| method | layer | lambda | " + b.clean() + " accuracy |");
            b.others().forEach(split -> header.append(' ').append(split).append(" accuracy |"));
            header.append(' ').append(b.attacked()).append(' ').append(b.measure()).append(" | recovered | CD share on ")
                    .append(b.attacked()).append(" | s | command |\n");
            md.append(header);
            md.append("|---".repeat(header.toString().split("\\|", -1).length - 2)).append("|\n");
            table.forEach(row -> md.append(line(row)));
            md.append(verdict(b, table));
        }
        return md.toString();
    }

    @SuppressWarnings("unchecked")
    private static String line(Map<String, Object> row) {
        StringBuilder s = new StringBuilder();
        Object lambda = row.get("lambda");
        s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |", row.get("method"), row.get("layer") == null ? "-"
                : "`" + row.get("layer") + "`", lambda == null ? "-" : OptionChecks.plain(((Number) lambda).doubleValue()),
                percentWithChange((Double) row.get("cleanAccuracy"), row.get("layer") == null ? null : (Double) row.get("cleanChange"))));
        ((Map<String, Double>) row.get("others")).values().forEach(v -> s.append(String.format(Locale.ROOT, " %.1f%% |", 100 * v)));
        Double recovered = (Double) row.get("recovered");
        s.append(String.format(Locale.ROOT, " %.1f%% | %s | %.1f%% | %.0f | `%s` |%n", 100 * (Double) row.get("attackedMeasure"),
                row.get("layer") == null || recovered.isNaN() ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * recovered),
                100 * (Double) row.get("cdShare"), (Double) row.get("seconds"), row.get("command")));
        return s.toString();
    }

    private static String percentWithChange(double value, Double change) {
        return change == null ? String.format(Locale.ROOT, "%.1f%%", 100 * value)
                : String.format(Locale.ROOT, "%.1f%% (%+.1f)", 100 * value, 100 * change);
    }

    /** Which repairs win back at least half of what the artifact cost while losing at most 2 points of clean accuracy. */
    private static String verdict(ClarcBenchmarks.Benchmark b, List<Map<String, Object>> table) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%nRecover at least %.0f%% of the lost %s on %s"
                + " with clean accuracy down at most %.0f points:", 100 * MIN_RECOVERED, b.measure(), b.attacked(),
                100 * MAX_CLEAN_DROP));
        boolean any = false;
        for (Map<String, Object> row : table.subList(1, table.size())) {
            double recovered = (Double) row.get("recovered");
            double change = (Double) row.get("cleanChange");
            if (recovered >= MIN_RECOVERED && change >= -MAX_CLEAN_DROP) {
                s.append(any ? "," : "").append(" ").append(row.get("method")).append(" at `").append(row.get("layer"))
                        .append('`');
                any = true;
            }
        }
        return s.append(any ? ".\n" : " none.\n").toString();
    }
}
