package io.candor.attribution.cd;

import ai.djl.ndarray.NDArray;

/**
 * How CD shares a bias between the relevant and irrelevant parts: in proportion to the magnitude of
 * each part's contribution, elementwise, as ACD does with its constant 1e-20 (CDEP's code adds 1e-19 to
 * the denominator only, which drops the bias where both contributions vanish).
 *
 * <p>Where both contributions are exactly zero (a unit whose whole receptive field is dead) ACD's
 * constant splits the bias evenly, which would leave half of it irrelevant under a mask covering the
 * whole input. Candor departs there: a tied bias is shared in proportion to how much of the layer's
 * output each part carries in that sample ({@link #tieShare}), so a full mask leaves nothing irrelevant
 * and an empty mask nothing relevant. Written as share = (|r| + 2e t) / (|r| + |s| + 2e), which is
 * t at a tie and ACD's (|r| + e) / (|r| + |s| + 2e) to within 1e-20 / (|r| + |s|) elsewhere, with no
 * branch.
 */
public final class BiasSplit {
    /** ACD's constant (cd_propagate.py). */
    public static final float EPSILON = 1e-20f;

    private BiasSplit() {
    }

    /**
     * r + share * bias, the relevant part of a biased linear output.
     *
     * @param rAbs |r|, and {@code sAbs} |s|, which the caller has for {@link #tieShare} already
     * @param tieShare per sample, [batch, 1, ...]
     */
    public static NDArray relevant(NDArray r, NDArray rAbs, NDArray sAbs, NDArray bias, NDArray tieShare) {
        NDArray share = rAbs.add(tieShare.mul(2 * EPSILON)).div(rAbs.add(sAbs).add(2 * EPSILON));
        return r.add(share.mul(bias));
    }

    /**
     * Per sample, the relevant share of the layer's output magnitude sum |r| / (sum |r| + sum |s|), shaped
     * [batch, 1, ...]; 1/2 when both are zero. Held constant under differentiation.
     */
    public static NDArray tieShare(NDArray rAbs, NDArray sAbs) {
        int rank = rAbs.getShape().dimension();
        long n = rAbs.getShape().get(0);
        NDArray rel = rAbs.stopGradient().reshape(n, -1).sum(new int[] {1});
        NDArray irr = sAbs.stopGradient().reshape(n, -1).sum(new int[] {1});
        NDArray share = rel.add(Float.MIN_NORMAL).div(rel.add(irr).add(2 * Float.MIN_NORMAL));
        long[] shape = new long[rank];
        java.util.Arrays.fill(shape, 1);
        shape[0] = n;
        return share.reshape(shape);
    }

    /** The relevant part of r + s + bias, from the two contributions. */
    public static NDArray relevant(NDArray r, NDArray s, NDArray bias) {
        NDArray rAbs = r.abs();
        NDArray sAbs = s.abs();
        return relevant(r, rAbs, sAbs, bias, tieShare(rAbs, sAbs));
    }
}
