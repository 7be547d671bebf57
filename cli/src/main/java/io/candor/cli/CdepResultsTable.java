package io.candor.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The results of {@code candor reproduce cdep} as Markdown: one table per benchmark, paper and target beside. */
final class CdepResultsTable {
    private CdepResultsTable() {
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> results, List<CdepBenchmarks.Benchmark> benchmarks) {
        StringBuilder md = new StringBuilder();
        boolean quick = (Boolean) results.get("quick");
        md.append("# CDEP's benchmarks, reproduced by Candor").append(quick ? " (--quick)" : "").append("\n\n");
        md.append(String.format(Locale.ROOT, "%d seed(s) per method; %.1f minutes in all. Each row's command reruns it;",
                results.get("seeds"), (Double) results.get("minutes")));
        md.append(" `logs/` holds every command's output. The swap test (on the validation split, where it marks");
        md.append(" something) gives each marked sample another's spurious part and counts how often the prediction");
        md.append(" follows it: near 0 for a model that ignores it.\n");
        List<Map<String, Object>> rows = (List<Map<String, Object>>) results.get("rows");
        for (CdepBenchmarks.Benchmark b : benchmarks) {
            md.append("\n## ").append(b.name()).append("\n\n");
            md.append("The paper: ").append(b.paper()).append(".\n\n");
            md.append("| method | lambda | ").append(b.split()).append(" accuracy (%) | swap test: follows (%) | s / epoch | peak MiB"
                    + " | command |\n");
            md.append("|---|---|---|---|---|---|---|\n");
            Double cdep = null;
            for (Map<String, Object> row : rows) {
                if (!row.get("benchmark").equals(b.name())) {
                    continue;
                }
                if (row.get("penalty").equals("cdep")) {
                    cdep = (Double) row.get("mean");
                }
                md.append(line(row));
            }
            if (!Double.isNaN(b.target()) && cdep != null) {
                md.append(String.format(Locale.ROOT, "%nTarget: CDEP >= %.0f%%. Measured %.1f%%: %s.%n", b.target(), 100 * cdep,
                        100 * cdep >= b.target() ? "met" : "**not met**"));
            }
            if (!b.note().isEmpty()) {
                md.append("\nNote: ").append(b.note()).append(".\n");
            }
        }
        List<Map<String, Object>> finetuned = (List<Map<String, Object>>) results.get("finetuning");
        if (!finetuned.isEmpty()) {
            Map<String, Object> first = finetuned.get(0);
            md.append("\n## Fine-tuning the vanilla ").append(first.get("benchmark")).append(" model after '")
                    .append(first.get("cut")).append("'\n\n");
            md.append(String.format(Locale.ROOT, "The vanilla model before fine-tuning: %.2f%% on test.%n%n",
                    100 * (Double) first.get("before")));
            md.append("| method | lambda | test accuracy after (%) | swap test: follows (%) | s / epoch | peak MiB | command |\n");
            md.append("|---|---|---|---|---|---|---|\n");
            finetuned.forEach(row -> md.append(line(row)));
        }
        md.append("\n## Not in this table\n\n");
        md.append("- patch-lesions: `candor reproduce clarc` compares vanilla, CDEP, RRR and the ClArCs on it (malignant"
                + " recall on test_attacked; docs/finetune.md).\n");
        return md.toString();
    }

    private static String line(Map<String, Object> row) {
        Object lambda = row.get("lambda");
        Double peak = (Double) row.get("peakMiB");
        boolean oneSeed = ((List<?>) row.get("accuracies")).size() == 1;
        String accuracy = String.format(Locale.ROOT, oneSeed ? "%.2f" : "%.2f +- %.2f", 100 * (Double) row.get("mean"),
                100 * (Double) row.get("std"));
        Double followed = (Double) row.get("swapFollowed");
        return String.format(Locale.ROOT, "| %s | %s | %s | %s | %.1f | %s | `%s` |%n", row.get("method"),
                lambda == null ? "-" : OptionChecks.plain(((Number) lambda).doubleValue()), accuracy,
                followed == null ? "-" : String.format(Locale.ROOT, "%.1f", 100 * followed), (Double) row.get("secondsPerEpoch"), peak == null ? "-" : String.format(Locale.ROOT, "%.0f", peak),
                row.get("command"));
    }
}
