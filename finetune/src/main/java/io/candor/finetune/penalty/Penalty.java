package io.candor.finetune.penalty;

import io.candor.interop.CandorException;

/**
 * An explanation penalty that the trainer adds to the cross-entropy, times lambda, with one optimizer
 * step for both terms. Of two kinds: a penalty on an explanation of the outputs ({@link OutputPenalty},
 * CDEP), or on the gradient of a loss with respect to the input ({@link InputGradientPenalty}, RRR),
 * which needs double backpropagation.
 */
public sealed interface Penalty permits OutputPenalty, InputGradientPenalty {
    /** The names {@link #named} knows. */
    java.util.List<String> NAMES = java.util.List.of("none", "cdep", "rrr");

    /** The penalty called {@code name} ("none" gives {@code null}). */
    static Penalty named(String name) {
        return switch (name) {
            case "none" -> null;
            case "cdep" -> new Cdep();
            case "rrr" -> new Rrr();
            default -> throw new CandorException("--penalty must be one of " + String.join(", ", NAMES) + ", got '"
                    + name + "'");
        };
    }
}
