package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import java.util.List;

/**
 * ReLU, relevant first as in the reference: relevant' = relu(relevant), and the irrelevant part is
 * relu(total) - relu(relevant). This is not a Shapley split; it favours the relevant part.
 */
public final class ReluRule implements CdRule {
    @Override
    public List<CdValue> apply(CdCall call) {
        CdValue x = call.input(0);
        NDArray total = call.plainTotals().get(0);
        return List.of(CdValue.of(total, Activation.relu(x.relevant())));
    }
}
