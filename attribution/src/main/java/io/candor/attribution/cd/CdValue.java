package io.candor.attribution.cd;

import ai.djl.ndarray.NDArray;

/**
 * A value under contextual decomposition: the total and its relevant part; the irrelevant part is
 * total - relevant, so the two always add up to the plain forward value. A value that does not depend
 * on the input (a weight, a shape) is a constant: it has no relevant part.
 */
public record CdValue(NDArray total, NDArray relevant) {

    public static CdValue constant(NDArray total) {
        return new CdValue(total, null);
    }

    public static CdValue of(NDArray total, NDArray relevant) {
        return new CdValue(total, relevant);
    }

    public boolean isConstant() {
        return relevant == null;
    }

    /** total - relevant (a new array). */
    public NDArray irrelevant() {
        return isConstant() ? total.zerosLike() : total.sub(relevant);
    }

    /** The relevant part, or zeros for a constant (a constant is all irrelevant, like a bias). */
    public NDArray relevantOrZeros() {
        return isConstant() ? total.zerosLike() : relevant;
    }
}
