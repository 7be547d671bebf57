package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import io.candor.attribution.cd.BiasSplit;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import java.util.Arrays;
import java.util.List;

/**
 * BatchNormalization as ACD decomposes it, with the running statistics (CD explains the model in
 * evaluation): BN is a per-channel affine map a*x + b; r = a*relevant and s = a*total - r, and the
 * bias b is shared between them. ACD shares it by |r| / (|r| + |s|) with no constant; Candor uses the
 * same {@link BiasSplit} as the linear layers, which differs only by 1e-20 and at exact ties.
 */
public final class BatchNormRule implements CdRule {
    @Override
    public List<CdValue> apply(CdCall call) {
        call.requireOnlyDecomposed(0);
        CdValue x = call.input(0);
        NDArray scale = call.input(1).total();
        NDArray shift = call.input(2).total();
        NDArray mean = call.input(3).total();
        NDArray var = call.input(4).total();
        float eps = call.attrs().getFloat("epsilon", 1e-5f);
        long[] perChannel = new long[x.total().getShape().dimension()];
        Arrays.fill(perChannel, 1);
        perChannel[1] = scale.size();
        NDArray a = scale.div(var.add(eps).sqrt()).reshape(perChannel);
        NDArray b = shift.reshape(perChannel).sub(a.mul(mean.reshape(perChannel)));
        NDArray t = x.total().mul(a);
        NDArray r = x.relevant().mul(a);
        return List.of(CdValue.of(t.add(b), BiasSplit.relevant(r, t.sub(r), b)));
    }
}
