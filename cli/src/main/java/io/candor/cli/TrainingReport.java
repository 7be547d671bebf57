package io.candor.cli;

import io.candor.attribution.report.LineChart;
import io.candor.attribution.report.Report;
import io.candor.finetune.EpochMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * MODEL.report.html of {@code train} and {@code finetune}: the curves per epoch (loss, accuracy, the
 * penalty and the bias score where there is one) and the table they come from, with the command.
 */
final class TrainingReport {
    private TrainingReport() {
    }

    static void write(Path file, String title, List<EpochMetrics> history, String command) {
        Report r = Report.titled(title);
        if (history.isEmpty()) {
            r.paragraph("No epoch was trained.");
            r.command(command);
            r.write(file);
            return;
        }
        double[] epochs = history.stream().mapToDouble(EpochMetrics::epoch).toArray();
        List<LineChart> charts = new ArrayList<>();
        charts.add(LineChart.titled("loss (train: cross-entropy + lambda x penalty)").axes("epoch", "loss")
                .series("train", epochs, history.stream().mapToDouble(EpochMetrics::trainLoss).toArray())
                .series("validation", epochs, history.stream().mapToDouble(EpochMetrics::valLoss).toArray()));
        charts.add(LineChart.titled("accuracy").axes("epoch", "accuracy").includeY(0, 1)
                .series("train", epochs, history.stream().mapToDouble(EpochMetrics::trainAccuracy).toArray())
                .series("validation", epochs, history.stream().mapToDouble(EpochMetrics::valAccuracy).toArray()));
        boolean penalised = history.stream().anyMatch(m -> m.penalty() != 0);
        boolean scored = history.stream().anyMatch(m -> m.biasScore() != null);
        if (penalised) {
            charts.add(LineChart.titled("penalty").axes("epoch", "penalty")
                    .series("train", epochs, history.stream().mapToDouble(EpochMetrics::penalty).toArray()));
        }
        if (scored) {
            charts.add(LineChart.titled("bias score: the spurious region's relevant share").axes("epoch", "share").includeY(0, 1)
                    .series("validation", epochs, history.stream()
                            .mapToDouble(m -> m.biasScore() == null ? Double.NaN : m.biasScore()).toArray()));
        }
        r.charts("per epoch", charts, command);
        List<String> header = new ArrayList<>(List.of("epoch", "train loss", "train accuracy", "val loss", "val accuracy"));
        if (penalised) {
            header.add("penalty");
        }
        if (scored) {
            header.add("bias score");
        }
        header.add("seconds");
        List<List<String>> rows = new ArrayList<>();
        for (EpochMetrics m : history) {
            List<String> row = new ArrayList<>(List.of(m.epoch() + (m.best() ? " (best)" : ""), f(m.trainLoss()),
                    f(m.trainAccuracy()), f(m.valLoss()), f(m.valAccuracy())));
            if (penalised) {
                row.add(f(m.penalty()));
            }
            if (scored) {
                row.add(m.biasScore() == null ? "" : f(m.biasScore()));
            }
            row.add(String.format(Locale.ROOT, "%.1f", m.seconds()));
            rows.add(row);
        }
        r.table(header, rows);
        r.write(file);
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
