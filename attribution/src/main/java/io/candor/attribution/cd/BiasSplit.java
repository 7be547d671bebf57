package io.candor.attribution.cd;

import ai.djl.ndarray.NDArray;

/**
 * How CD shares a bias between the relevant and irrelevant parts: in proportion to the magnitude of
 * each part's contribution, elementwise, as ACD does with its constant 1e-20 (CDEP's code adds 1e-19 to
 * the denominator only, which drops the bias where both contributions vanish).
 *
 * <p>Where both contributions are exactly zero (a unit whose whole receptive field is dead, an LSTM's
 * recurrent term at the first step) ACD's constant splits the bias evenly, which would leave half of it
 * irrelevant under a mask covering the whole input. Candor departs there: a tied bias is shared in
 * proportion to how much of the layer's output each part carries in that sample ({@link #tieShare}), so
 * a full mask leaves nothing irrelevant and an empty mask nothing relevant. Elsewhere the share is
 * |r| / (|r| + |s|), ACD's to within 1e-20 / (|r| + |s|). The tie is taken without a tiny
 * denominator: written as (|r| + z t) / (|r| + |s| + z) with z = 1 at a tie and 0 elsewhere, whose
 * gradient stays finite there (with ACD's 1e-20 it squares to 1e-40, which CPUs that flush
 * subnormals turn into 0 and the gradient into NaN).
 */
public final class BiasSplit {
    private BiasSplit() {
    }

    /**
     * r + share * bias, the relevant part of a biased linear output.
     *
     * @param rAbs |r|, and {@code sAbs} |s|, which the caller has for {@link #tieShare} already
     * @param tieShare per sample, [batch, 1, ...]
     */
    public static NDArray relevant(NDArray r, NDArray rAbs, NDArray sAbs, NDArray bias, NDArray tieShare) {
        NDArray sum = rAbs.add(sAbs);
        NDArray tie = sum.eq(0).toType(sum.getDataType(), false);
        NDArray share = rAbs.add(tie.mul(tieShare)).div(sum.add(tie));
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
