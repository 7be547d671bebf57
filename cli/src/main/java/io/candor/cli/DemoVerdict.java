package io.candor.cli;

import java.util.Locale;

/**
 * What the demo's figures say about the repair, in a few sentences: whether the CDEP model beats both the
 * biased model and the same fine-tuning without a penalty where the spurious feature lies (or is absent),
 * whether the feature still decides where it is at random, and what the CD share did. A share that falls
 * while the model still follows the feature is said to be no repair: CDEP can be met by moving the
 * feature's effect out of the relevant part without the model ceasing to use it.
 */
final class DemoVerdict {
    /** The least rise in accuracy, where the feature is at random, that counts as relying on it less. */
    private static final double LESS_RELIANCE = 0.01;

    private DemoVerdict() {
    }

    /** Accuracies where the spurious feature is at random, apart from the label. */
    record Reliance(String split, double biased, double repaired) {
    }

    /**
     * @param split where the spurious feature lies or is absent, as the table calls it
     * @param biased accuracy there of the biased model, {@code plain} of the fine-tuning without a penalty,
     *     {@code repaired} of the CDEP fine-tuning (fractions)
     * @param shareBefore the CD share of the spurious feature in the biased model, {@code shareAfter} in the
     *     repaired one
     * @param reliance where the feature is at random, or {@code null} when {@code split} is that test itself
     */
    static String of(String split, double biased, double plain, double repaired, double shareBefore, double shareAfter,
            Reliance reliance) {
        String share = String.format(Locale.ROOT, "its CD share of the spurious feature went from %.1f%% to %.1f%%",
                100 * shareBefore, 100 * shareAfter);
        double overBiased = 100 * (repaired - biased);
        double overPlain = 100 * (repaired - plain);
        boolean stillDecides = reliance != null && reliance.repaired() - reliance.biased() < LESS_RELIANCE;
        if (overBiased > 0 && overPlain > 0 && !stillDecides) {
            return String.format(Locale.ROOT, "CDEP repaired part of the bias: on %s the repaired model is %.1f points above"
                    + " the biased model and %.1f above the same fine-tuning without a penalty, and %s.", split, overBiased,
                    overPlain, share);
        }
        String still = !stillDecides ? "" : String.format(Locale.ROOT, " Where the spurious feature is at random (%s) the"
                + " repaired model is right on %.1f%%, the biased one on %.1f%%: the feature still decides when present.",
                reliance.split(), 100 * reliance.repaired(), 100 * reliance.biased());
        return String.format(Locale.ROOT, "CDEP did not repair the bias here: on %s the repaired model is %+.1f points from"
                + " the biased model and %+.1f from the same fine-tuning without a penalty, although %s.%s A smaller share is"
                + " not a smaller reliance: the penalty can be met by moving the feature's effect out of the relevant"
                + " part (docs/finetune.md in Candor's repository, \"Does CDEP repair decoy-text?\").", split, overBiased,
                overPlain, share, still);
    }
}
