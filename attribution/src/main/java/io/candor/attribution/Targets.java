package io.candor.attribution;

import ai.djl.ndarray.NDArray;
import io.candor.interop.CandorException;

/**
 * Which logit each sample's attribution explains: the top class (default), one given class, or every
 * class in turn.
 */
public record Targets(Mode mode, long klass) {
    public enum Mode { TOP, CLASS, ALL }

    public static Targets top() {
        return new Targets(Mode.TOP, -1);
    }

    public static Targets of(long klass) {
        return new Targets(Mode.CLASS, klass);
    }

    public static Targets all() {
        return new Targets(Mode.ALL, -1);
    }

    /** Parses {@code top}, {@code all} or a class index. */
    public static Targets parse(String text) {
        switch (text) {
            case "top":
                return top();
            case "all":
                return all();
            default:
                try {
                    return of(Long.parseLong(text));
                } catch (NumberFormatException e) {
                    throw new CandorException("--target must be top, all or a class index, got '" + text + "'");
                }
        }
    }

    /** The class of each sample for TOP and CLASS ({@code logits} is [batch, classes]). */
    public long[] resolve(NDArray logits) {
        long classes = logits.getShape().get(1);
        long batch = logits.getShape().get(0);
        long[] out = new long[(int) batch];
        if (mode == Mode.TOP) {
            return logits.argMax(1).toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
        }
        if (mode == Mode.ALL) {
            throw new IllegalStateException("ALL targets are resolved one class at a time");
        }
        if (klass < 0 || klass >= classes) {
            throw new CandorException("target class " + klass + " is out of range: the model has " + classes + " classes");
        }
        java.util.Arrays.fill(out, klass);
        return out;
    }
}
