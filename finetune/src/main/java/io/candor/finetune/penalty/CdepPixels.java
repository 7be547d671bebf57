package io.candor.finetune.penalty;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.candor.finetune.Batch;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.tensor.HostTensor;
import java.util.Random;

/**
 * CDEP's ColorMNIST protocol, for a bias that has no place (a colour): no mask, but in every batch
 * {@code count} single pixels (all channels), drawn with replacement in proportion to how often a
 * training image has ink there, each penalised as CDEP penalises a marked region; the terms are summed
 * (the reference's {@code mnist/ColorMNIST/train.py}). The draws follow the seed, batch after batch; a
 * resumed run draws afresh.
 */
public final class CdepPixels implements OutputPenalty {
    private final Cdep cdep = new Cdep();
    private final double[] cumulative;
    private final long height;
    private final long width;
    private final int count;
    private final Random random;

    /**
     * @param ink per pixel (H x W, row-major) the share of training images with ink there
     */
    public CdepPixels(double[] ink, long height, long width, int count, long seed) {
        if (ink.length != height * width) {
            throw new IllegalArgumentException("ink has " + ink.length + " values for " + height + " x " + width);
        }
        this.cumulative = new double[ink.length];
        double sum = 0;
        for (int p = 0; p < ink.length; p++) {
            sum += ink[p];
            cumulative[p] = sum;
        }
        if (!(sum > 0)) {
            throw new CandorException("no training image has ink anywhere: there is no pixel to draw");
        }
        this.height = height;
        this.width = width;
        this.count = count;
        this.random = new Random(seed);
    }

    /**
     * Per pixel, the share of images of {@code x} ([N, C, H, W]) with ink there: some channel above that
     * channel's lowest value in the split (the background of standardised images).
     */
    public static double[] inkFrequency(HostTensor x) {
        long[] s = x.shape();
        if (s.length != 4) {
            throw new CandorException("--cdep-pixels needs images N x C x H x W, got " + java.util.Arrays.toString(s));
        }
        int n = (int) s[0];
        int c = (int) s[1];
        int hw = (int) (s[2] * s[3]);
        float[] v = x.toFloatArray();
        float[] lowest = new float[c];
        java.util.Arrays.fill(lowest, Float.POSITIVE_INFINITY);
        for (int i = 0; i < v.length; i++) {
            int channel = (i / hw) % c;
            lowest[channel] = Math.min(lowest[channel], v[i]);
        }
        double[] ink = new double[hw];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < hw; p++) {
                for (int k = 0; k < c; k++) {
                    if (v[(i * c + k) * hw + p] > lowest[k] + 1e-6f) {
                        ink[p]++;
                        break;
                    }
                }
            }
        }
        for (int p = 0; p < hw; p++) {
            ink[p] /= n;
        }
        return ink;
    }

    @Override
    public boolean needsInput() {
        return true;
    }

    @Override
    public NDArray value(Executor executor, Batch batch) {
        return addTerms(executor, batch, cdep.value(executor, onePixel(batch)));
    }

    /** The first pixel's decomposition is the forward pass; the others add their terms. */
    @Override
    public Forward forward(Executor executor, Batch batch) {
        Forward first = cdep.forward(executor, onePixel(batch));
        return new Forward(first.logits(), addTerms(executor, batch, first.penalty()));
    }

    /** {@code first} plus the terms of the other count - 1 drawn pixels. */
    private NDArray addTerms(Executor executor, Batch batch, NDArray first) {
        NDArray sum = first;
        for (int k = 1; k < count; k++) {
            sum = sum.add(cdep.value(executor, onePixel(batch)));
        }
        return sum;
    }

    /** The batch with one drawn pixel marked in every sample. */
    private Batch onePixel(Batch batch) {
        int pixel = draw();
        NDManager m = batch.manager();
        NDArray mask = m.zeros(new Shape(1, height, width));
        mask.set(new ai.djl.ndarray.index.NDIndex(0, pixel / width, pixel % width), 1f);
        NDArray x = batch.feeds().get(batch.fed());
        return Batch.ofInputs(m, batch.fed(), x, batch.labels(), mask);
    }

    /** A pixel with probability in proportion to its ink: the first whose cumulative share exceeds u. */
    private int draw() {
        double u = random.nextDouble() * cumulative[cumulative.length - 1];
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
