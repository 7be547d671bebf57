package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import io.candor.attribution.cd.BiasSplit;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import java.util.List;

/**
 * Conv, Gemm and MatMul with constant weights. The layer without its bias is linear, so the relevant
 * part maps to r = layer(relevant) - bias; the irrelevant contribution is s = layer(total) - bias - r,
 * which costs no second pass; the bias is then shared by {@link BiasSplit}. Only the data input may
 * depend on the explained input.
 */
public final class LinearRule implements CdRule {
    private final int biasInput;

    private LinearRule(int biasInput) {
        this.biasInput = biasInput;
    }

    /** Conv: bias is input 2, one value per output channel (axis 1). */
    public static LinearRule conv() {
        return new LinearRule(2);
    }

    /** Gemm: C (input 2) times beta, broadcast. */
    public static LinearRule gemm() {
        return new LinearRule(2);
    }

    /** MatMul has no bias. */
    public static LinearRule matMul() {
        return new LinearRule(-1);
    }

    @Override
    public List<CdValue> apply(CdCall call) {
        call.requireOnlyDecomposed(0);
        NDArray total = call.plainTotals().get(0);
        List<NDArray> withoutBias = call.totalsWith(0, call.input(0).relevant());
        if (biasInput >= 0 && biasInput < withoutBias.size()) {
            withoutBias.set(biasInput, null);
        }
        NDArray r = call.plain(withoutBias);
        NDArray bias = biasMap(call, total);
        if (bias == null) {
            return List.of(CdValue.of(total, r));
        }
        NDArray s = total.sub(bias).sub(r);
        return List.of(CdValue.of(total, BiasSplit.relevant(r, s, bias)));
    }

    /** The bias as it is added to the output (layer(0) in the reference), or null when there is none. */
    private NDArray biasMap(CdCall call, NDArray total) {
        CdValue b = biasInput < 0 ? null : call.input(biasInput);
        if (b == null) {
            return null;
        }
        NDArray bias = b.total();
        if (call.node().opType().equals("Conv")) {
            long[] shape = new long[total.getShape().dimension()];
            java.util.Arrays.fill(shape, 1);
            shape[1] = bias.size();
            return bias.reshape(shape).broadcast(total.getShape());
        }
        float beta = call.attrs().getFloat("beta", 1f);
        NDArray scaled = beta == 1f ? bias : bias.mul(beta);
        return scaled.broadcast(total.getShape());
    }
}
