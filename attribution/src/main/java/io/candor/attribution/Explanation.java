package io.candor.attribution;

import ai.djl.ndarray.NDArray;

/**
 * What an explanation produced.
 *
 * @param attributions the input's shape ([batch, classes, ...] when every class is explained); Grad-CAM:
 *     [batch, 1, h, w] at the layer's resolution
 * @param targets the explained class of each sample (empty when every class is explained)
 * @param targetLogits the logit of that class
 * @param completeness sum of attributions minus the target's change from the baseline, per sample
 *     (integrated gradients, DeepLIFT), else empty
 * @param cdRelevant CD only: relevant scores [batch, classes], or [batch, groups, classes] for a sweep
 * @param cdIrrelevant CD only: the matching irrelevant scores
 */
public record Explanation(NDArray attributions, long[] targets, float[] targetLogits, float[] completeness,
        NDArray cdRelevant, NDArray cdIrrelevant) {
}
