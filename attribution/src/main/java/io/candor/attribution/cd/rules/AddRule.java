package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import io.candor.attribution.cd.BiasSplit;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import java.util.List;

/**
 * Add and Sub. Two input-dependent operands (ResNet's residual) add or subtract part by part; a
 * constant operand is a bias, shared between the parts like a layer's bias ({@link BiasSplit}).
 */
public final class AddRule implements CdRule {
    private final boolean subtract;

    private AddRule(boolean subtract) {
        this.subtract = subtract;
    }

    public static AddRule add() {
        return new AddRule(false);
    }

    public static AddRule sub() {
        return new AddRule(true);
    }

    @Override
    public List<CdValue> apply(CdCall call) {
        CdValue a = call.input(0);
        CdValue b = call.input(1);
        NDArray total = call.plainTotals().get(0);
        if (!a.isConstant() && !b.isConstant()) {
            NDArray rel = subtract ? a.relevant().sub(b.relevant()) : a.relevant().add(b.relevant());
            return List.of(CdValue.of(total, rel.broadcast(total.getShape())));
        }
        CdValue varying = a.isConstant() ? b : a;
        NDArray r = varying.relevant();
        NDArray bias;
        if (a.isConstant()) {
            // c - x: the varying part enters negated, the constant is the bias.
            r = subtract ? r.neg() : r;
            bias = a.total();
        } else {
            bias = subtract ? b.total().neg() : b.total();
        }
        r = r.broadcast(total.getShape());
        NDArray biasMap = bias.broadcast(total.getShape());
        NDArray s = total.sub(biasMap).sub(r);
        return List.of(CdValue.of(total, BiasSplit.relevant(r, s, biasMap)));
    }
}
