package io.candor.interpreter;

import ai.djl.ndarray.NDArray;

/**
 * FLINT's loss terms (Parekh et al. 2021, {@code flint.py train()}), each a differentiable scalar over a
 * mini-batch. Phi is the attribute layer [N, J]; f the explained model's logits, g the interpreter's.
 */
public final class FlintLosses {
    private FlintLosses() {
    }

    /**
     * Output fidelity: the cross-entropy of g's prediction against f's softmax, mean over samples,
     * -sum_c softmax(f)_c log softmax(g)_c, with f held constant (the reference detaches it).
     */
    public static NDArray outputFidelity(NDArray fLogits, NDArray gLogits) {
        NDArray target = fLogits.stopGradient().softmax(1);
        return target.mul(gLogits.logSoftmax(1)).sum(new int[] {1}).mean().neg();
    }

    /** Input fidelity: the mean squared error of the decoder's reconstruction. */
    public static NDArray inputFidelity(NDArray reconstruction, NDArray input) {
        return reconstruction.sub(input).square().mean();
    }

    /**
     * Conciseness and diversity: mean_n H(softmax(|Phi_n|)) - H(softmax(mean_n |Phi_n|)), with H the
     * entropy. The first term makes each sample use few attributes, the second spreads their use across
     * the batch.
     */
    public static NDArray concisenessDiversity(NDArray phi) {
        NDArray magnitude = phi.abs();
        NDArray perSample = entropy(magnitude).mean();
        NDArray batch = entropy(magnitude.mean(new int[] {0}, true));
        return perSample.sub(batch.mean());
    }

    /** Sparsity: the mean |Phi|. */
    public static NDArray sparsity(NDArray phi) {
        return phi.abs().mean();
    }

    /** Per row, the entropy of softmax(a) over the last axis: -sum p log p. */
    static NDArray entropy(NDArray a) {
        NDArray logP = a.logSoftmax(1);
        return logP.exp().mul(logP).sum(new int[] {1}).neg();
    }

    /**
     * Concept binding (beyond FLINT): the binary cross-entropy of the concept probes' logits z [N, K]
     * against 0/1 labels, mean over samples and concepts: softplus(z) - c z, with softplus(z) =
     * log(e^0 + e^z) taken by a log-softmax over the pair (z, 0), which stays finite for any z and has
     * the exact gradient sigmoid(z) - c everywhere (the max/abs form has a kink autograd gets wrong at 0).
     */
    public static NDArray conceptBinding(NDArray conceptLogits, NDArray labels) {
        return binaryCrossEntropy(conceptLogits, labels).mean();
    }

    /**
     * The same over the rows with {@code rowWeight} 1 only (a batch mixing samples with and without
     * concept labels): sum of the labelled rows' terms over their count times K.
     */
    public static NDArray conceptBinding(NDArray conceptLogits, NDArray labels, NDArray rowWeight) {
        NDArray perRow = binaryCrossEntropy(conceptLogits, labels).mean(new int[] {1});
        return perRow.mul(rowWeight).sum().div(rowWeight.sum());
    }

    private static NDArray binaryCrossEntropy(NDArray z, NDArray labels) {
        NDArray pair = ai.djl.ndarray.NDArrays.stack(new ai.djl.ndarray.NDList(z, z.zerosLike()), -1);
        NDArray softplus = pair.logSoftmax(-1).get("..., 1").neg();
        return softplus.sub(z.mul(labels));
    }
}
