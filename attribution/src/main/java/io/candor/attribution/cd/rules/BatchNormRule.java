package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import io.candor.attribution.cd.BiasSplit;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import io.candor.interop.exec.ops.BatchNormalization;
import java.util.Arrays;
import java.util.List;

/**
 * BatchNormalization as ACD decomposes it: BN is a per-channel affine map a*x + b; r = a*relevant and
 * s = a*total - r, and the bias b is shared between them. ACD shares it by |r| / (|r| + |s|) with no
 * constant; Candor uses the same {@link BiasSplit} as the linear layers, which differs only by 1e-20 and
 * at exact ties.
 *
 * <p>In evaluation a and b come from the running statistics. In training mode (CDEP's fine-tuning) they
 * come from the batch statistics of the total, which is what normalises the forward pass. CD updates the
 * running statistics only when it is the training step's forward pass too (then the total is the plain
 * op's output, computed by the op itself); otherwise the step's own forward pass does that, once.
 * (CDEP's reference code instead switches the model to evaluation inside its CD and leaves it there.)
 */
public final class BatchNormRule implements CdRule {
    @Override
    public List<CdValue> apply(CdCall call) {
        call.requireOnlyDecomposed(0);
        CdValue x = call.input(0);
        NDArray scale = call.input(1).total();
        NDArray shift = call.input(2).total();
        float eps = call.attrs().getFloat("epsilon", 1e-5f);
        long[] perChannel = new long[x.total().getShape().dimension()];
        Arrays.fill(perChannel, 1);
        perChannel[1] = scale.size();
        NDArray mean;
        NDArray var;
        if (call.training()) {
            NDArray[] stats = BatchNormalization.batchStatistics(x.total());
            mean = stats[0];
            var = stats[1];
        } else {
            mean = call.input(3).total().reshape(perChannel);
            var = call.input(4).total().reshape(perChannel);
        }
        NDArray a = scale.reshape(perChannel).div(var.add(eps).sqrt());
        NDArray b = shift.reshape(perChannel).sub(a.mul(mean));
        NDArray t = x.total().mul(a);
        NDArray r = x.relevant().mul(a);
        NDArray relevant = BiasSplit.relevant(r, t.sub(r), b);
        NDArray total = call.updatesState() ? call.plainTotals().get(0) : t.add(b);
        return List.of(CdValue.of(total, relevant));
    }
}
