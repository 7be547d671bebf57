package io.candor.attribution.cd;

import ai.djl.ndarray.NDArray;

/**
 * How CD shares a bias between the relevant and irrelevant parts: in proportion to the magnitude of
 * each part's contribution, elementwise. ACD's constant 1e-20 is added to both magnitudes, so where
 * both contributions are zero the bias is split evenly (CDEP's code adds 1e-19 to the denominator only
 * and drops the bias there; Candor follows ACD, as the attribution issue asks).
 */
public final class BiasSplit {
    /** ACD's constant (cd_propagate.py). */
    public static final float EPSILON = 1e-20f;

    private BiasSplit() {
    }

    /** The relevant share of {@code bias}: r + (|r|+e) / (|r|+|s|+2e) * bias. */
    public static NDArray relevant(NDArray r, NDArray s, NDArray bias) {
        NDArray rAbs = r.abs().add(EPSILON);
        NDArray share = rAbs.div(rAbs.add(s.abs()).add(EPSILON));
        return r.add(share.mul(bias));
    }

    /** ACD's BatchNorm variant: share |r| / (|r|+|s|), zero where both vanish (ACD sets NaN to 0). */
    public static NDArray relevantOrZeroShare(NDArray r, NDArray s, NDArray bias) {
        NDArray rAbs = r.abs();
        NDArray share = rAbs.div(rAbs.add(s.abs()).maximum(Float.MIN_NORMAL));
        return r.add(share.mul(bias));
    }
}
