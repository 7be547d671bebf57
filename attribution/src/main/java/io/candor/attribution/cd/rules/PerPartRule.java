package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import java.util.ArrayList;
import java.util.List;

/**
 * Ops that are linear with no bias, or only move elements (average pools, Flatten, Reshape,
 * Transpose, Slice, Squeeze, Unsqueeze, Concat, Gather on data, Identity, evaluation Dropout, Cast):
 * the op is applied to the total and to the relevant part alike. Constant inputs keep their values
 * (a shape, an index), except in Concat, where a constant piece has no relevant part.
 */
public final class PerPartRule implements CdRule {
    @Override
    public List<CdValue> apply(CdCall call) {
        List<NDArray> totals = call.plainTotals();
        List<NDArray> relevant = new ArrayList<>();
        boolean concat = call.node().opType().equals("Concat");
        for (int i = 0; i < call.inputCount(); i++) {
            CdValue v = call.input(i);
            if (v == null) {
                relevant.add(null);
            } else if (v.isConstant()) {
                relevant.add(concat ? v.total().zerosLike() : v.total());
            } else {
                relevant.add(v.relevant());
            }
        }
        List<NDArray> relevantOut = call.plainAll(relevant);
        List<CdValue> out = new ArrayList<>();
        for (int i = 0; i < totals.size(); i++) {
            NDArray t = totals.get(i);
            // Secondary outputs such as Dropout's mask do not depend on the values: keep them constant.
            out.add(t == null ? null : i == 0 ? CdValue.of(t, relevantOut.get(0)) : CdValue.constant(t));
        }
        return out;
    }
}
