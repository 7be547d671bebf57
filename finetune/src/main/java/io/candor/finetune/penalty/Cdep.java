package io.candor.finetune.penalty;

import ai.djl.ndarray.NDArray;
import io.candor.attribution.cd.ContextualDecomposition;
import io.candor.finetune.Batch;
import io.candor.interop.exec.Executor;

/**
 * CDEP for images (Rieger et al. 2020, {@code score_funcs.cdep}): contextual decomposition of every logit
 * into the part due to the spurious region (beta) and the rest (gamma), and the penalty is the mean over
 * penalised samples and over all logits of the region's share exp(beta) / (exp(beta) + exp(gamma)),
 * which is sigmoid(beta - gamma).
 *
 * <p>In a training step one decomposition of the whole batch is also the forward pass: its totals are
 * the logits the cross-entropy is taken on (the reference runs a separate forward pass, then CD in
 * evaluation mode, and never switches back to training). So CD runs in the step's training mode, with
 * one Dropout mask for the loss and both parts and batch-statistics BatchNorm, and a step costs one
 * decomposition instead of a forward pass and a decomposition. It starts where the batch says: at the
 * input, or at a cut whose decomposition a frozen prefix gave.
 */
public final class Cdep implements OutputPenalty {
    private Executor executor;
    private ContextualDecomposition plain;
    private ContextualDecomposition forwardPass;

    @Override
    public NDArray value(Executor executor, Batch batch) {
        Batch.CdStart start = batch.cdStart();
        if (start == null) {
            return null;
        }
        ContextualDecomposition.Decomposition d = decompose(executor, batch, start, false);
        return share(start, d);
    }

    @Override
    public Forward forward(Executor executor, Batch batch) {
        Batch.CdStart start = batch.cdStart();
        if (start == null) {
            return null;
        }
        ContextualDecomposition.Decomposition d = decompose(executor, batch, start, true);
        return new Forward(d.relevant().add(d.irrelevant()), share(start, d));
    }

    /** The mean over marked samples and logits of sigmoid(beta - gamma). */
    private static NDArray share(Batch.CdStart start, ContextualDecomposition.Decomposition d) {
        NDArray beta = start.markedRows(d.relevant());
        NDArray gamma = start.markedRows(d.irrelevant());
        return ai.djl.nn.Activation.sigmoid(beta.sub(gamma)).mean();
    }

    private ContextualDecomposition.Decomposition decompose(Executor executor, Batch batch, Batch.CdStart start,
            boolean asForwardPass) {
        if (this.executor != executor) {
            this.executor = executor;
            this.plain = new ContextualDecomposition(executor);
            this.forwardPass = ContextualDecomposition.asForwardPass(executor);
        }
        String output = executor.graph().outputs().get(0).name();
        return (asForwardPass ? forwardPass : plain).from(batch.manager(), start.tensor(), start.value(), output);
    }
}
