package io.candor.finetune.penalty;

import ai.djl.ndarray.NDArray;
import io.candor.attribution.cd.ContextualDecomposition;
import io.candor.finetune.Batch;
import io.candor.interop.exec.Executor;

/**
 * CDEP for images (Rieger et al. 2020, {@code score_funcs.cdep}): contextual decomposition of every logit
 * into the part due to the spurious region (beta) and the rest (gamma), and the penalty is the mean over
 * penalised samples and over all logits of the region's share exp(beta) / (exp(beta) + exp(gamma)),
 * which is sigmoid(beta - gamma). CD runs in the step's training mode (one Dropout mask for both parts,
 * batch-statistics BatchNorm); the reference code switches the model to evaluation here and never back.
 * It starts where the batch says: at the input, or at a cut whose decomposition a frozen prefix gave.
 */
public final class Cdep implements Penalty {
    @Override
    public NDArray value(Executor executor, Batch batch) {
        Batch.CdStart start = batch.cdStart();
        if (start == null) {
            return null;
        }
        String output = executor.graph().outputs().get(0).name();
        ContextualDecomposition.Decomposition d = new ContextualDecomposition(executor)
                .from(batch.manager(), start.tensor(), start.value(), output);
        return ai.djl.nn.Activation.sigmoid(d.relevant().sub(d.irrelevant())).mean();
    }
}
