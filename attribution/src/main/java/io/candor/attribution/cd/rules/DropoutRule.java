package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import io.candor.interop.exec.ops.Dropout;
import java.util.List;

/**
 * Dropout: the identity in evaluation; in training mode one drawn mask, applied to the total and to the
 * relevant part alike, so that relevant + irrelevant stays the training-mode output (two draws would
 * drop different units from each part).
 */
public final class DropoutRule implements CdRule {
    private final PerPartRule evaluation = new PerPartRule();

    @Override
    public List<CdValue> apply(CdCall call) {
        CdValue x = call.input(0);
        NDArray total = x.total();
        NDArray scale = call.training() ? Dropout.scaledKeepMask(call.opCall(call.totalsWith(0, total)),
                total.getShape(), total.getDataType()) : null;
        if (scale == null) {
            return evaluation.apply(call);
        }
        return java.util.Arrays.asList(CdValue.of(total.mul(scale), x.relevantOrZeros().mul(scale)),
                call.node().output(1).isEmpty() ? null : CdValue.constant(scale.gt(0)));
    }
}
