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
        boolean negated = subtract && a.isConstant();
        NDArray t = (negated ? varying.total().neg() : varying.total()).broadcast(total.getShape());
        NDArray r = (negated ? varying.relevant().neg() : varying.relevant()).broadcast(total.getShape());
        NDArray bias = a.isConstant() ? a.total() : subtract ? b.total().neg() : b.total();
        return List.of(CdValue.of(t.add(bias), BiasSplit.relevant(r, t.sub(r), bias)));
    }
}
