package io.candor.finetune;

/**
 * What one epoch measured. {@code trainLoss} is the objective's (cross-entropy plus lambda times the
 * penalty); {@code penalty} is the penalty's mean over the batches that had penalised samples (0 when
 * training had no penalty).
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
        double seconds, boolean best, double penalty) {
}
