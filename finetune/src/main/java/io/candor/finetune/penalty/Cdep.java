package io.candor.finetune.penalty;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.candor.attribution.cd.ContextualDecomposition;
import io.candor.finetune.Batch;
import io.candor.interop.exec.Executor;

/**
 * CDEP (Rieger et al. 2020): contextual decomposition of the logits into the part due to the spurious
 * features (beta) and the rest (gamma), penalised as the reference code does for each kind of input:
 * <ul>
 *   <li>images ({@code score_funcs.cdep}): the mean over penalised samples and over all logits of the
 *       region's share exp(beta) / (exp(beta) + exp(gamma)), which is sigmoid(beta - gamma);
 *   <li>token ids ({@code cd_penalty_for_one_decoy_all}): for the true class's logit only, the mean
 *       over penalised samples of -log of the other tokens' share, -log sigmoid(gamma_y - beta_y), which
 *       is softplus(beta_y - gamma_y); it keeps pushing where the image form saturates.
 * </ul>
 * The bias score is the share sigmoid(beta - gamma) in both cases (all logits for images, the true
 * class's for tokens).
 *
 * <p>In a training step one decomposition of the whole batch is also the forward pass: its totals are
 * the logits the cross-entropy is taken on (the reference runs a separate forward pass, then CD in
 * evaluation mode, and never switches back to training). So CD runs in the step's training mode, with
 * one Dropout mask for the loss and both parts and batch-statistics BatchNorm, and a step costs one
 * decomposition instead of a forward pass and a decomposition. It starts where the batch says: at the
 * input (the embedding lookup for tokens), or at a cut whose decomposition a frozen prefix gave.
 */
public final class Cdep implements OutputPenalty {
    private Executor executor;
    private ContextualDecomposition plain;
    private ContextualDecomposition forwardPass;

    @Override
    public NDArray value(Executor executor, Batch batch) {
        Batch.CdStart start = batch.cdStart();
        return start == null ? null : penalty(start, decompose(executor, batch, start, false), batch.labels());
    }

    @Override
    public Forward forward(Executor executor, Batch batch) {
        Batch.CdStart start = batch.cdStart();
        if (start == null) {
            return null;
        }
        ContextualDecomposition.Decomposition d = decompose(executor, batch, start, true);
        return new Forward(d.relevant().add(d.irrelevant()), penalty(start, d, batch.labels()));
    }

    /**
     * The batch's logits and bias score (the spurious features' mean share, see the class comment) from
     * one decomposition, or {@code null} when no sample is marked.
     */
    public Forward biasScore(Executor executor, Batch batch) {
        Batch.CdStart start = batch.cdStart();
        if (start == null) {
            return null;
        }
        ContextualDecomposition.Decomposition d = decompose(executor, batch, start, true);
        return new Forward(d.relevant().add(d.irrelevant()), Activation.sigmoid(difference(start, d, batch.labels())).mean());
    }

    private static NDArray penalty(Batch.CdStart start, ContextualDecomposition.Decomposition d, NDArray labels) {
        NDArray betaMinusGamma = difference(start, d, labels);
        return start.isTokens() ? Activation.softPlus(betaMinusGamma).mean() : Activation.sigmoid(betaMinusGamma).mean();
    }

    /** beta - gamma for the marked samples: every logit for images, the true class's for tokens. */
    private static NDArray difference(Batch.CdStart start, ContextualDecomposition.Decomposition d, NDArray labels) {
        NDArray diff = start.markedRows(d.relevant().sub(d.irrelevant()));
        if (!start.isTokens()) {
            return diff;
        }
        NDArray truth = start.markedRows(labels).oneHot((int) diff.getShape().get(1)).toType(diff.getDataType(), false);
        return diff.mul(truth).sum(new int[] {1});
    }

    private ContextualDecomposition.Decomposition decompose(Executor executor, Batch batch, Batch.CdStart start,
            boolean asForwardPass) {
        if (this.executor != executor) {
            this.executor = executor;
            this.plain = new ContextualDecomposition(executor);
            this.forwardPass = ContextualDecomposition.asForwardPass(executor);
        }
        return start.decompose(asForwardPass ? forwardPass : plain, batch.manager(),
                executor.graph().outputs().get(0).name(), asForwardPass);
    }
}
