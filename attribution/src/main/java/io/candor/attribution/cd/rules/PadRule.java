package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import java.util.List;

/**
 * Constant Pad: the relevant part is padded with zeros, so the fill value counts as irrelevant, like a
 * bias that no input explains.
 */
public final class PadRule implements CdRule {
    @Override
    public List<CdValue> apply(CdCall call) {
        call.requireOnlyDecomposed(0);
        NDArray total = call.plainTotals().get(0);
        List<NDArray> arrays = call.totalsWith(0, call.input(0).relevant());
        if (arrays.size() > 2) {
            arrays.set(2, null);
        }
        NDArray relevant = call.plain(arrays);
        if (call.attrs().getFloat("value", 0f) != 0f) {
            // Before opset 11 the fill is an attribute: take it back out (pad(0) is the fill, 0 inside).
            relevant = relevant.sub(call.plain(call.totalsWith(0, call.input(0).relevant().zerosLike())));
        }
        return List.of(CdValue.of(total, relevant));
    }
}
