package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import java.util.List;

/**
 * A standalone Sigmoid or Tanh, by the reference's three-player rule with the bias as third player.
 * Outside an LSTM the bias is already inside the two parts, so the third player is 0: the relevant part
 * is 1/2 [f(r) - f(0) + f(r + s) - f(s)] and f(0) (0.5 for Sigmoid, 0 for Tanh) is counted irrelevant,
 * like a bias that no input explains. The reference has no rule for these ops outside the LSTM.
 */
public final class SquashRule implements CdRule {
    @Override
    public List<CdValue> apply(CdCall call) {
        CdValue x = call.input(0);
        NDArray total = call.plainTotals().get(0);
        NDArray r = x.relevant();
        NDArray s = x.total().sub(r);
        NDArray atZero = call.plain(List.of(r.zerosLike()));
        NDArray relevant = call.plain(List.of(r)).sub(atZero).add(total).sub(call.plain(List.of(s))).mul(0.5f);
        return List.of(CdValue.of(total, relevant));
    }
}
