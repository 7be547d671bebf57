package io.candor.finetune.penalty;

import io.candor.interop.CandorException;

/**
 * An explanation penalty that the trainer adds to the cross-entropy, times lambda, with one optimizer
 * step for both terms. Of two kinds: a penalty on an explanation of the outputs ({@link OutputPenalty},
 * CDEP), on the gradient of the loss with respect to the input ({@link InputGradientPenalty}, RRR), or
 * computed from passes of its own in pieces ({@link SampledPenalty}, Expected Gradients).
 */
public sealed interface Penalty permits OutputPenalty, InputGradientPenalty, SampledPenalty {
    /** The names {@link #named} knows. */
    java.util.List<String> NAMES = java.util.List.of("none", "cdep", "rrr", "eg", "rr-clarc");

    /** Expected Gradients' references per image unless told otherwise (the reference code's DecoyMNIST setting). */
    int EG_REFERENCES = 200;

    /**
     * Whether the penalty differentiates with respect to the model's input, so that batches must come
     * from the input with their masks (not from a cached prefix, whose values stand in for it).
     */
    default boolean needsInput() {
        return false;
    }

    /** Whether the penalty reads what the data marks spurious (RR-ClArC reads a concept direction instead). */
    default boolean needsMasks() {
        return true;
    }

    /**
     * The lambda used when none is given, from the sweeps on Candor's benchmarks (docs/finetune.md,
     * "Choosing lambda"): CDEP 1000 on images (it gave the best fine-tuning of a biased decoy-digits
     * model), 1 on token ids (whose -log share is unbounded; 100 collapsed the LSTM), RRR 1000, EG 10.
     */
    static float defaultLambda(String name, boolean tokens) {
        return switch (name) {
            case "cdep" -> tokens ? 1f : 1000f;
            case "rrr" -> 1000f;
            case "eg" -> 10f;
            case "rr-clarc" -> 1f;
            default -> 0f;
        };
    }

    /** The penalty called {@code name} ("none" gives {@code null}). */
    static Penalty named(String name) {
        return switch (name) {
            case "none" -> null;
            case "cdep" -> new Cdep();
            case "rrr" -> new Rrr();
            case "eg" -> new ExpectedGradients(EG_REFERENCES);
            case "rr-clarc" -> throw new CandorException("--penalty rr-clarc needs the artifact's direction at the cut:"
                    + " give --concept NAME");
            default -> throw new CandorException("--penalty must be one of " + String.join(", ", NAMES) + ", got '"
                    + name + "'");
        };
    }
}
