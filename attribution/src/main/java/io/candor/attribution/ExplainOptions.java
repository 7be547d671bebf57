package io.candor.attribution;

import ai.djl.ndarray.NDArray;

/**
 * Settings of one explanation; each method reads the ones it needs.
 *
 * @param method cd, deeplift, saliency, input-x-gradient, integrated-gradients, smoothgrad, grad-cam, occlusion
 * @param baseline reference input for deeplift, integrated gradients and occlusion ({@code null}: zeros)
 * @param steps path points of integrated gradients
 * @param integration trapezoid or gauss-legendre
 * @param internalBatch rows per pass for integrated gradients and windows per pass for occlusion
 * @param absolute saliency's magnitude instead of its signed value
 * @param noiseLevel SmoothGrad's noise, as a fraction of each sample's value range
 * @param samples SmoothGrad's noisy copies
 * @param smoothedMethod the method SmoothGrad averages
 * @param seed SmoothGrad's noise seed
 * @param layer Grad-CAM's tensor
 * @param window occlusion window, and CD's tile side when no mask is given
 * @param stride occlusion stride
 * @param mask CD's relevant features (1 = relevant), broadcastable to a float input; {@code null} for a tile sweep
 * @param span CD's relevant tokens {first, last} (inclusive) of a token input; {@code null} for a token sweep
 */
public record ExplainOptions(String method, Targets targets, NDArray baseline, int steps, String integration,
        int internalBatch, boolean absolute, float noiseLevel, int samples, String smoothedMethod, long seed,
        String layer, int window, int stride, NDArray mask, int[] span) {
}
