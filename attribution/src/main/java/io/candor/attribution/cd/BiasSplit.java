package io.candor.attribution.cd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * How CD shares a bias between the relevant and irrelevant parts: in proportion to the magnitude of
 * each part's contribution, elementwise, with ACD's constant 1e-20 added to both magnitudes (CDEP's code
 * adds 1e-19 to the denominator only, which drops the bias where both contributions vanish).
 *
 * <p>Where both contributions are exactly zero (a unit whose whole receptive field is dead) ACD's
 * constant splits the bias evenly, which would leave half of it irrelevant under a mask covering the
 * whole input. Candor departs there: the tied bias is shared in proportion to how much of the layer's
 * input each part carries in that sample, so a full mask leaves nothing irrelevant and an empty mask
 * nothing relevant.
 */
public final class BiasSplit {
    /** ACD's constant (cd_propagate.py). */
    public static final float EPSILON = 1e-20f;

    private BiasSplit() {
    }

    /** r + share * bias, the relevant part of a biased linear output. */
    public static NDArray relevant(NDArray r, NDArray s, NDArray bias, NDArray tieShare) {
        NDArray rAbs = r.abs();
        NDArray sAbs = s.abs();
        NDArray share = rAbs.add(EPSILON).div(rAbs.add(sAbs).add(2 * EPSILON));
        NDArray tied = rAbs.add(sAbs).eq(0);
        return r.add(NDArrays.where(tied, tieShare.broadcast(share.getShape()), share).mul(bias));
    }

    /**
     * Per sample, the relevant share of the input's magnitude, shaped [batch, 1, ...] to broadcast over an
     * output of rank {@code outputRank}; 1/2 when the input is all zeros.
     */
    public static NDArray tieShare(NDArray relevantIn, NDArray irrelevantIn, int outputRank) {
        long n = relevantIn.getShape().get(0);
        NDArray rel = relevantIn.abs().reshape(n, -1).sum(new int[] {1});
        NDArray irr = irrelevantIn.abs().reshape(n, -1).sum(new int[] {1});
        NDArray total = rel.add(irr);
        NDArray share = NDArrays.where(total.eq(0), total.onesLike().mul(0.5f), rel.div(total.maximum(Float.MIN_NORMAL)));
        long[] shape = new long[outputRank];
        java.util.Arrays.fill(shape, 1);
        shape[0] = n;
        return share.reshape(shape).stopGradient();
    }
}
