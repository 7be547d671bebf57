package io.candor.attribution.cd.rules;

import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import java.util.List;

/**
 * Relu (and LeakyRelu, the same piecewise-linear idea), relevant first as in the reference:
 * relevant' = f(relevant), and the irrelevant part is f(total) - f(relevant). Not a Shapley split: it
 * favours the relevant part.
 */
public final class ReluRule implements CdRule {
    @Override
    public List<CdValue> apply(CdCall call) {
        CdValue x = call.input(0);
        return List.of(CdValue.of(call.plainTotals().get(0), call.plain(List.of(x.relevant()))));
    }
}
