package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import io.candor.attribution.cd.BiasSplit;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import io.candor.interop.tensor.Tensors;
import java.util.List;

/**
 * A standalone Sigmoid or Tanh. The reference has no rule for these outside the LSTM; Candor uses its
 * three-player rule with the bias as third player. Outside an LSTM the bias is already inside the two
 * parts, so the third player is 0: the parts contribute L(r) = 1/2 [f(r) - f(0) + f(r + s) - f(s)] and
 * L(s) = f(r + s) - f(0) - L(r), and f(0) (0.5 for Sigmoid, 0 for Tanh) is shared between them like a
 * layer's bias ({@link BiasSplit}), so a full mask leaves nothing irrelevant.
 */
public final class SquashRule implements CdRule {
    @Override
    public List<CdValue> apply(CdCall call) {
        CdValue x = call.input(0);
        NDArray total = call.plainTotals().get(0);
        NDArray r = x.relevant();
        NDArray s = x.total().sub(r);
        NDArray atZero = call.plain(List.of(r.zerosLike()));
        NDArray fromRelevant = Tensors.times(call.plain(List.of(r)).sub(atZero).add(total).sub(call.plain(List.of(s))), 0.5f);
        NDArray fromIrrelevant = total.sub(atZero).sub(fromRelevant);
        return List.of(CdValue.of(total, BiasSplit.relevant(fromRelevant, fromIrrelevant, atZero)));
    }
}
