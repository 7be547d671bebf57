package io.candor.finetune;

/**
 * What one epoch measured. {@code trainLoss} is the objective's (cross-entropy plus lambda times the
 * penalty); {@code penalty} is the penalty's mean over the batches that had penalised samples (0 when
 * training had no penalty); {@code biasScore} is the penalty on the validation samples that carry a mask
 * (for CDEP, the spurious region's mean share of the logits; null without a penalty or masks).
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
        double seconds, boolean best, double penalty, Double biasScore) {
}
