package io.candor.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.candor.attribution.DifferentiableModel;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * FLINT's picture of an attribute: activation maximisation with partial initialisation. From
 * x0 = s x, x a sample where the attribute is high, Adam climbs
 * C Phi_j(x') - l_tv TV(x') - l_b B(x'), where TV = mean |d_h x'| + mean |d_w x'| keeps the picture smooth
 * and B = mean(|x'| 1[x' outside [lo, hi]]) keeps it within the data's range. Starting near a real
 * sample, rather than from noise, keeps the picture recognisable (the paper's point).
 *
 * <p>Each sample is optimised on its own: the objective is per sample and the batch's sum is
 * differentiated, so a sample's gradient does not depend on the others, and several attributes can be
 * pictured in one batch. The gradient is the executor's autograd through the merged model; Adam runs
 * on the host, since the image is the only thing that changes.
 */
public final class ActivationMaximisation {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    /**
     * @param scale s of x0 = s x
     * @param attributeWeight C
     * @param tvWeight l_tv
     * @param boundWeight l_b
     * @param rounds rounds of Adam, each restarted with half the previous learning rate
     * @param iterations Adam steps per round
     * @param learningRate the first round's learning rate
     */
    public record Settings(float scale, float attributeWeight, float tvWeight, float boundWeight, int rounds,
            int iterations, float learningRate) {
        public Settings {
            if (rounds < 0 || iterations < 0 || !(learningRate > 0)) {
                throw new CandorException("activation maximisation needs rounds >= 0, iterations >= 0 and a positive"
                        + " learning rate, got " + rounds + ", " + iterations + ", " + learningRate);
            }
        }

        /** FLINT's MNIST settings with the notebook's 6 rounds of 50 iterations. */
        public static Settings flint() {
            return new Settings(0.3f, 2, 6, 10, 6, 50, 0.05f);
        }

        public Settings withSteps(int newRounds, int newIterations) {
            return new Settings(scale, attributeWeight, tvWeight, boundWeight, newRounds, newIterations, learningRate);
        }
    }

    /**
     * @param images the maximised inputs, the starts' shape
     * @param objective the batch's mean objective before each Adam step, then after the last one
     *     (rounds x iterations + 1 values)
     */
    public record Result(HostTensor images, double[] objective) {
    }

    private final Executor merged;
    private final String input;
    private final String output;
    private final float lo;
    private final float hi;
    private final Settings settings;

    /**
     * @param lo the smallest value of the data (inputs are standardised, so not 0)
     * @param hi the largest value of the data
     */
    public ActivationMaximisation(Executor merged, String input, String attributes, float lo, float hi,
            Settings settings) {
        if (!(lo <= hi)) {
            throw new CandorException("the data's bounds must satisfy lo <= hi, got [" + lo + ", " + hi + "]");
        }
        merged.graph().requireTensor(input);
        merged.graph().requireTensor(attributes);
        this.merged = merged;
        this.input = input;
        this.output = attributes;
        this.lo = lo;
        this.hi = hi;
        this.settings = settings;
    }

    /** The merged model's single input and {@value InterpreterGraph#ATTRIBUTES} output, FLINT's settings. */
    public static ActivationMaximisation of(Executor merged, float lo, float hi) {
        return new ActivationMaximisation(merged, merged.singleInput(), InterpreterGraph.ATTRIBUTES, lo, hi,
                Settings.flint());
    }

    /** The smallest and the largest value of {@code data}: the bounds B keeps the picture within. */
    public static float[] range(HostTensor data) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : data.toFloatArray()) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (!(lo <= hi)) {
            throw new CandorException("no finite data to take the bounds from");
        }
        return new float[] {lo, hi};
    }

    public Settings settings() {
        return settings;
    }

    /** The same pictures with other settings (fewer steps for a quick look, or a dataset's weights). */
    public ActivationMaximisation withSettings(Settings other) {
        return new ActivationMaximisation(merged, input, output, lo, hi, other);
    }

    /** Pictures attribute {@code attribute} from every sample of {@code samples}. */
    public Result maximise(HostTensor samples, int attribute) {
        int[] all = new int[(int) samples.shape()[0]];
        Arrays.fill(all, attribute);
        return maximise(samples, all);
    }

    /** Pictures attribute {@code attributes[n]} from sample n, starting at {@code scale} x sample n. */
    public Result maximise(HostTensor samples, int[] attributes) {
        requireFloat(samples, attributes);
        float[] x = samples.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            x[i] *= settings.scale();
        }
        long[] shape = samples.shape();
        int steps = settings.rounds() * settings.iterations();
        double[] history = new double[steps + 1];
        int step = 0;
        boolean wasTraining = merged.isTraining();
        merged.setTraining(false); // Dropout would make the objective random
        try (NDManager root = Engines.newManager()) {
            double lr = settings.learningRate();
            for (int round = 0; round < settings.rounds(); round++, lr /= 2) {
                // A fresh Adam per round, as FLINT makes a new optimizer with the halved rate.
                double[] m = new double[x.length];
                double[] v = new double[x.length];
                for (int t = 1; t <= settings.iterations(); t++) {
                    float[] g;
                    try (NDManager batch = root.newSubManager()) {
                        NDArray leaf = HostTensor.ofFloats(shape, x).toNDArray(batch);
                        leaf.setRequiresGradient(true);
                        try (GradientCollector collector = Engines.pytorch().newGradientCollector()) {
                            NDArray objective = objective(batch, leaf, attributes);
                            history[step++] = mean(objective.toFloatArray());
                            collector.backward(objective.sum());
                        }
                        try (NDArray grad = leaf.getGradient()) {
                            g = grad.toFloatArray();
                        }
                    }
                    double c1 = 1 - Math.pow(BETA1, t);
                    double c2 = Math.sqrt(1 - Math.pow(BETA2, t));
                    for (int i = 0; i < x.length; i++) {
                        m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
                        v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
                        // Ascent: the objective is maximised.
                        x[i] += (float) (lr / c1 * m[i] / (Math.sqrt(v[i]) / c2 + EPS));
                    }
                }
            }
            try (NDManager batch = root.newSubManager()) {
                history[step] = mean(objective(batch, HostTensor.ofFloats(shape, x).toNDArray(batch), attributes)
                        .toFloatArray());
            }
        } finally {
            merged.setTraining(wasTraining);
        }
        HostTensor images = HostTensor.ofFloats(shape, x);
        images.requireFiniteResult("the activation maximisation");
        return new Result(images, history);
    }

    /** The objective of each sample at {@code images} for attribute {@code attributes[n]}. */
    public float[] objective(HostTensor images, int[] attributes) {
        requireFloat(images, attributes);
        boolean wasTraining = merged.isTraining();
        merged.setTraining(false);
        try (NDManager m = Engines.newManager()) {
            return objective(m, images.toNDArray(m), attributes).toFloatArray();
        } finally {
            merged.setTraining(wasTraining);
        }
    }

    /** C Phi_j(x) - l_tv TV(x) - l_b B(x) per sample, [N], differentiable in x. */
    private NDArray objective(NDManager m, NDArray x, int[] wanted) {
        NDArray phi = merged.run(m, Map.of(input, x), List.of(output)).get(output);
        long j = phi.getShape().get(1);
        long[] targets = new long[wanted.length];
        for (int n = 0; n < wanted.length; n++) {
            if (wanted[n] < 0 || wanted[n] >= j) {
                throw new CandorException("attribute " + wanted[n] + " asked of a dictionary of " + j);
            }
            targets[n] = wanted[n];
        }
        NDArray chosen = phi.mul(DifferentiableModel.oneHot(m, targets, j)).sum(new int[] {1});
        return Tensors.times(chosen, settings.attributeWeight())
                .sub(Tensors.times(totalVariation(x), settings.tvWeight()))
                .sub(Tensors.times(boundPenalty(x, lo, hi), settings.boundWeight()));
    }

    /**
     * TV per sample, [N]: mean |x[.., i+1, :] - x[.., i, :]| + mean |x[.., :, k+1] - x[.., :, k]| over the
     * last two axes (and the channels). An axis of length 1 has no differences and adds 0; a vector
     * input (rank 2) has no picture to smooth and gets 0.
     */
    static NDArray totalVariation(NDArray x) {
        long n = x.getShape().get(0);
        int rank = x.getShape().dimension();
        NDArray none = x.getManager().zeros(new Shape(n), x.getDataType());
        if (rank < 3) {
            return none;
        }
        long h = x.getShape().get(rank - 2);
        long w = x.getShape().get(rank - 1);
        NDArray tv = none;
        if (h > 1) {
            NDArray dh = x.get("..., 1:, :").sub(x.get("..., :-1, :")).abs();
            tv = tv.add(dh.reshape(n, -1).mean(new int[] {1}));
        }
        if (w > 1) {
            NDArray dw = x.get("..., 1:").sub(x.get("..., :-1")).abs();
            tv = tv.add(dw.reshape(n, -1).mean(new int[] {1}));
        }
        return tv;
    }

    /** B per sample, [N]: mean(|x| 1[x outside [lo, hi]]); the indicator is a constant (no gradient). */
    static NDArray boundPenalty(NDArray x, float lo, float hi) {
        NDManager m = x.getManager();
        NDArray detached = x.stopGradient();
        try (NDArray low = m.full(new Shape(), lo, x.getDataType());
                NDArray high = m.full(new Shape(), hi, x.getDataType())) {
            NDArray outside = detached.lt(low).logicalOr(detached.gt(high)).toType(x.getDataType(), false);
            return x.abs().mul(outside).reshape(x.getShape().get(0), -1).mean(new int[] {1});
        }
    }

    private static void requireFloat(HostTensor samples, int[] attributes) {
        if (!samples.type().isFloating()) {
            throw new CandorException("activation maximisation needs float inputs; " + samples.type()
                    + " token ids cannot be moved by a gradient");
        }
        long[] shape = samples.shape();
        if (shape.length < 2 || shape[0] != attributes.length) {
            throw new CandorException("one attribute per sample: " + attributes.length + " attributes for samples "
                    + Arrays.toString(shape));
        }
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return values.length == 0 ? 0 : sum / values.length;
    }
}
