package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import java.util.List;

/**
 * Mul by a constant, and Div of an input-dependent value by a constant: linear without bias, so both
 * parts scale. A product or quotient of two input-dependent values has no CD rule.
 */
public final class ScaleRule implements CdRule {
    @Override
    public List<CdValue> apply(CdCall call) {
        CdValue a = call.input(0);
        CdValue b = call.input(1);
        boolean div = call.node().opType().equals("Div");
        if (!a.isConstant() && !b.isConstant()) {
            throw call.error("a " + (div ? "quotient" : "product") + " of two input-dependent tensors has no CD rule");
        }
        if (div && a.isConstant()) {
            throw call.error("dividing by an input-dependent tensor has no CD rule");
        }
        NDArray total = call.plainTotals().get(0);
        NDArray relevant = a.isConstant() ? call.plain(List.of(a.total(), b.relevant()))
                : call.plain(List.of(a.relevant(), b.total()));
        return List.of(CdValue.of(total, relevant.broadcast(total.getShape())));
    }
}
