package io.candor.attribution.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.attribution.AttributionMethod;
import io.candor.attribution.DifferentiableModel;
import io.candor.interop.exec.Engines;

/**
 * SmoothGrad (Smilkov et al. 2017): the mean of another method's attributions over copies of the input
 * with Gaussian noise of standard deviation {@code noiseLevel * (max - min)} of each sample. The noise
 * comes from the engine's generator seeded with {@code seed}.
 */
public final class SmoothGrad implements AttributionMethod {
    private final AttributionMethod base;
    private final float noiseLevel;
    private final int samples;
    private final long seed;

    public SmoothGrad(AttributionMethod base, float noiseLevel, int samples, long seed) {
        this.base = base;
        this.noiseLevel = noiseLevel;
        this.samples = samples;
        this.seed = seed;
    }

    @Override
    public NDArray attribute(DifferentiableModel model, NDManager batch, NDArray input, long[] targets) {
        long n = input.getShape().get(0);
        NDArray flat = input.reshape(n, -1);
        long[] perSample = new long[input.getShape().dimension()];
        java.util.Arrays.fill(perSample, 1);
        perSample[0] = n;
        NDArray sigma = flat.max(new int[] {1}).sub(flat.min(new int[] {1})).mul(noiseLevel).reshape(perSample);
        Engines.pytorch().setRandomSeed((int) seed);
        NDArray sum = input.zerosLike();
        for (int s = 0; s < samples; s++) {
            try (NDManager one = batch.newSubManager()) {
                NDArray noisy = input.add(one.randomNormal(input.getShape()).mul(sigma));
                noisy.attach(one);
                sum.addi(base.attribute(model, one, noisy, targets));
            }
        }
        return sum.div(samples);
    }
}
