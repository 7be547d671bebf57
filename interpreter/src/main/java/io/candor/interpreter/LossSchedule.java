package io.candor.interpreter;

import io.candor.interop.CandorException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The weights of FLINT's loss terms and their warm-up: a term with warm-up k is active only in epochs
 * after k (epochs count from 1), as {@code flint.py} schedules them. Terms: {@code of} output fidelity,
 * {@code if} input fidelity, {@code cd} conciseness and diversity, {@code l1} sparsity, and beyond
 * FLINT {@code co}, the binary cross-entropy that binds attributes to concepts (used only when concepts
 * are given).
 */
public final class LossSchedule {
    /** The term names, in the order the loss adds them. */
    public static final java.util.List<String> TERMS = java.util.List.of("of", "if", "cd", "l1", "co");

    private record Term(float weight, int warmUp) {
    }

    private final Map<String, Term> terms;

    private LossSchedule(Map<String, Term> terms) {
        this.terms = terms;
    }

    /**
     * FLINT's MNIST setting: if 0.8 from the start, of 0.5 and l1 0.1 after epoch 2, cd 0.2 after epoch 4;
     * concepts from the start, at 1 (their cross-entropy starts near log 2, of the order of the others).
     */
    public static LossSchedule flintMnist() {
        return of(new Term(0.5f, 2), new Term(0.8f, 0), new Term(0.2f, 4), new Term(0.1f, 2));
    }

    /**
     * For inputs the decoder cannot reconstruct (token ids of a model without an embedding table, or
     * joint training on tokens, where the table itself moves): no input fidelity, so nothing to warm up
     * for; output fidelity and sparsity from the start, conciseness-diversity after epoch 2 (FLINT's
     * MNIST gaps, shifted by the two epochs the decoder had alone).
     */
    public static LossSchedule forTokens() {
        return of(new Term(0.5f, 0), new Term(0f, 0), new Term(0.2f, 2), new Term(0.1f, 0));
    }

    /** The first four terms in {@link #TERMS} order, and the concept term at 1 from the start. */
    private static LossSchedule of(Term of, Term inputFidelity, Term cd, Term l1) {
        Map<String, Term> t = new LinkedHashMap<>();
        t.put("of", of);
        t.put("if", inputFidelity);
        t.put("cd", cd);
        t.put("l1", l1);
        t.put("co", new Term(1f, 0));
        return new LossSchedule(t);
    }

    /**
     * This schedule with weights replaced from {@code spec}, "of=0.5,if=0.8,cd=0.2,l1=0.1"; a term may
     * give its warm-up too, "cd=0.2@4". Terms not named keep theirs.
     */
    public LossSchedule with(String spec) {
        Map<String, Term> t = new LinkedHashMap<>(terms);
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2 || !TERMS.contains(kv[0].trim())) {
                throw new CandorException("--loss-weights: '" + part.trim() + "' is not TERM=WEIGHT[@WARMUP] with TERM one of "
                        + TERMS);
            }
            String name = kv[0].trim();
            String[] wk = kv[1].trim().split("@", 2);
            try {
                float weight = Float.parseFloat(wk[0]);
                int warmUp = wk.length == 2 ? Integer.parseInt(wk[1]) : terms.get(name).warmUp();
                if (!(weight >= 0) || Float.isInfinite(weight) || warmUp < 0) {
                    throw new NumberFormatException();
                }
                t.put(name, new Term(weight, warmUp));
            } catch (NumberFormatException e) {
                throw new CandorException("--loss-weights: '" + part.trim() + "' needs a weight >= 0 and a warm-up >= 0");
            }
        }
        return new LossSchedule(t);
    }

    /** The weight of {@code term} in {@code epoch} (1-based): zero during its warm-up. */
    public float weight(String term, int epoch) {
        Term t = terms.get(term);
        if (t == null) {
            throw new IllegalArgumentException("no loss term " + term);
        }
        return epoch > t.warmUp() ? t.weight() : 0f;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        terms.forEach((name, t) -> s.append(s.length() == 0 ? "" : ",").append(name).append('=')
                .append(String.format(Locale.ROOT, "%g", t.weight())).append('@').append(t.warmUp()));
        return s.toString();
    }
}
