package io.candor.cli;

import io.candor.finetune.EpochMetrics;
import io.candor.finetune.Trainer;
import java.io.PrintWriter;
import io.candor.finetune.TrainingState;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/** Shows training on the console: a progress bar per epoch on a terminal, then the epoch's line. */
final class TrainingProgress implements Trainer.Listener {
    private final PrintWriter out;
    private final Progress bar;
    private final BiConsumer<EpochMetrics, Supplier<TrainingState>> afterEpoch;

    /** @param afterEpoch what the command does with each finished epoch (checkpoints, reports) */
    TrainingProgress(PrintWriter out, BiConsumer<EpochMetrics, Supplier<TrainingState>> afterEpoch) {
        this.out = out;
        this.bar = new Progress(out);
        this.afterEpoch = afterEpoch;
    }

    @Override
    public void batch(int epoch, int done, int total, double loss) {
        bar.update("epoch " + epoch, done, total, String.format("loss %.4f", loss));
    }

    @Override
    public void epoch(EpochMetrics m, Supplier<TrainingState> state) {
        bar.done();
        out.printf("  epoch %d: train loss %.4f acc %.4f%s, val loss %.4f acc %.4f%s (%.1fs)%s%n", m.epoch(), m.trainLoss(),
                m.trainAccuracy(), m.penalty() > 0 ? String.format(" penalty %.4f", m.penalty()) : "", m.valLoss(),
                m.valAccuracy(), m.biasScore() == null ? "" : String.format(" bias score %.4f", m.biasScore()),
                m.seconds(), m.best() ? " *" : "");
        out.flush();
        afterEpoch.accept(m, state);
    }
}
