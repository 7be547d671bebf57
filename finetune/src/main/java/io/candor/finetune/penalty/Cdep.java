package io.candor.finetune.penalty;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.attribution.cd.ContextualDecomposition;
import io.candor.interop.exec.Executor;
import java.util.Map;

/**
 * CDEP for images (Rieger et al. 2020, {@code score_funcs.cdep}): contextual decomposition of every logit
 * into the part due to the spurious region (beta) and the rest (gamma), and the penalty is the mean over
 * penalised samples and over all logits of the region's share exp(beta) / (exp(beta) + exp(gamma)),
 * which is sigmoid(beta - gamma). CD runs in the step's training mode (one Dropout mask for both parts,
 * batch-statistics BatchNorm); the reference code switches the model to evaluation here and never back.
 */
public final class Cdep implements Penalty {
    @Override
    public NDArray value(Executor executor, NDManager batch, NDArray x, NDArray y, NDArray spurious) {
        long n = x.getShape().get(0);
        NDArray masks = spurious.toType(x.getDataType(), false).broadcast(x.getShape());
        masks.attach(batch);
        boolean[] penalised = new boolean[(int) n];
        float[] perSample = masks.reshape(n, -1).sum(new int[] {1}).toFloatArray();
        int count = 0;
        for (int i = 0; i < n; i++) {
            penalised[i] = perSample[i] > 0;
            count += penalised[i] ? 1 : 0;
        }
        if (count == 0) {
            return null;
        }
        NDArray rows = count == n ? x : x.get(batch.create(penalised));
        NDArray regions = count == n ? masks : masks.get(batch.create(penalised));
        String input = executor.singleInput();
        String output = executor.graph().outputs().get(0).name();
        ContextualDecomposition.Decomposition d = new ContextualDecomposition(executor)
                .decompose(batch, Map.of(input, rows), input, regions, output);
        return ai.djl.nn.Activation.sigmoid(d.relevant().sub(d.irrelevant())).mean();
    }

}
