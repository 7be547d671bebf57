package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.candor.attribution.cd.BiasSplit;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import io.candor.interop.tensor.Tensors;
import java.util.List;

/**
 * Conv, Gemm and MatMul with constant weights. The layer without its bias is linear: t = layer(total)
 * - bias and r = layer(relevant) - bias (the reference computes layer(0) for the bias, which also
 * covers padding), so the irrelevant contribution is s = t - r; the bias is shared by
 * {@link BiasSplit}. Two linear passes, the plain forward's one plus one; where the relevant part equals
 * the total, s is exactly zero, so a full mask stays exact through every layer.
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
        CdValue x = call.input(0);
        NDArray t;
        NDArray r;
        if (stacksOnAxis0(call)) {
            // One call on [total; relevant] stacked along the batch: half the calls, and the zero channels
            // that Convolutions pads with are appended once.
            // split, not two slices: its backward is one concatenation, where each slice's would fill a
            // zero tensor of the stacked size.
            NDList halves = withoutBias(call, x.total().concat(x.relevant(), 0)).split(2, 0);
            t = halves.get(0);
            r = halves.get(1);
        } else {
            t = withoutBias(call, x.total());
            r = withoutBias(call, x.relevant());
        }
        NDArray bias = biasMap(call, t);
        if (bias == null) {
            return List.of(CdValue.of(t, r));
        }
        return List.of(CdValue.of(t.add(bias), BiasSplit.relevant(r, t.sub(r), bias)));
    }

    /** Conv stacks: its first axis is the batch. (For the small Gemms of a classifier the copy costs more.) */
    private static boolean stacksOnAxis0(CdCall call) {
        String op = call.node().opType();
        return op.equals("Conv");
    }

    private NDArray withoutBias(CdCall call, NDArray part) {
        List<NDArray> arrays = call.totalsWith(0, part);
        if (biasInput >= 0 && biasInput < arrays.size()) {
            arrays.set(biasInput, null);
        }
        return call.plain(arrays);
    }

    /** The bias as it is added to the output (layer(0) in the reference), or null when there is none. */
    private NDArray biasMap(CdCall call, NDArray like) {
        CdValue b = biasInput < 0 ? null : call.input(biasInput);
        if (b == null) {
            return null;
        }
        NDArray bias = b.total();
        if (call.node().opType().equals("Conv")) {
            long[] shape = new long[like.getShape().dimension()];
            java.util.Arrays.fill(shape, 1);
            shape[1] = bias.size();
            return bias.reshape(shape);
        }
        float beta = call.attrs().getFloat("beta", 1f);
        return beta == 1f ? bias : Tensors.times(bias, beta);
    }
}
