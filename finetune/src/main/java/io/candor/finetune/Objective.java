package io.candor.finetune;

import io.candor.finetune.penalty.Penalty;
import io.candor.interop.CandorException;

/**
 * What training minimises: cross-entropy plus lambda times an explanation penalty (none by default).
 *
 * @param penalty the penalty, or {@code null} for cross-entropy alone
 * @param lambda its weight, zero or more
 */
public record Objective(Penalty penalty, float lambda) {
    public Objective {
        if (!(lambda >= 0) || Float.isInfinite(lambda)) {
            throw new CandorException("lambda must be a finite number of zero or more, got " + lambda);
        }
    }

    public static Objective crossEntropy() {
        return new Objective(null, 0);
    }

    /** Whether a batch's penalty needs computing at all. */
    boolean penalises() {
        return penalty != null && lambda > 0;
    }
}
