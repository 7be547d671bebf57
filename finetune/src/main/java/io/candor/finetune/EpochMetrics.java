package io.candor.finetune;

/** What one epoch measured. */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
        double seconds, boolean best) {
}
