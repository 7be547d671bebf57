package io.candor.attribution.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.candor.attribution.AttributionMethod;
import io.candor.attribution.DifferentiableModel;
import io.candor.interop.CandorException;

/**
 * Occlusion (Zeiler and Fergus 2014): a window slides over the last two axes with a stride, spanning
 * all other axes (the channels), and is set to the baseline; a feature's attribution is the mean, over
 * the windows that contain it, of target(input) - target(occluded input). Occluded inputs are evaluated
 * {@code internalBatch} windows at a time. Features no window covers get 0. Images use a square window;
 * token embeddings [batch, tokens, dim] a window of some tokens spanning the whole vector.
 */
public final class Occlusion implements AttributionMethod {
    private final int windowH;
    private final int windowW;
    private final int strideH;
    private final int strideW;
    private final NDArray baseline;
    private final int internalBatch;

    /** A square window over images. */
    public Occlusion(int window, int stride, NDArray baseline, int internalBatch) {
        this(window, window, stride, stride, baseline, internalBatch);
    }

    public Occlusion(int windowH, int windowW, int strideH, int strideW, NDArray baseline, int internalBatch) {
        if (windowH < 1 || windowW < 1 || strideH < 1 || strideW < 1) {
            throw new CandorException("occlusion needs a window and a stride of at least 1");
        }
        this.windowH = windowH;
        this.windowW = windowW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.baseline = baseline;
        this.internalBatch = Math.max(1, internalBatch);
    }

    @Override
    public NDArray attribute(DifferentiableModel model, NDManager batch, NDArray input, long[] targets) {
        long[] shape = input.getShape().getShape();
        if (shape.length < 3 || !input.getDataType().isFloating()) {
            throw new CandorException("occlusion needs a float input with spatial axes, got " + input.getShape());
        }
        long n = shape[0];
        long h = shape[shape.length - 2];
        long w = shape[shape.length - 1];
        if (windowH > h || windowW > w) {
            throw new CandorException("the occlusion window " + windowH + "x" + windowW + " is larger than the input's "
                    + h + "x" + w);
        }
        NDArray base = baseline == null ? input.zerosLike() : baseline.broadcast(input.getShape());
        base.attach(batch);
        NDArray unoccluded = model.logits(batch, input);
        NDArray seed = DifferentiableModel.oneHot(batch, targets, unoccluded.getShape().get(1));
        NDArray reference = unoccluded.mul(seed).sum(new int[] {1});
        NDArray sum = input.zerosLike();
        NDArray count = input.zerosLike();
        java.util.List<long[]> corners = new java.util.ArrayList<>();
        for (long i = 0; i + windowH <= h; i += strideH) {
            for (long j = 0; j + windowW <= w; j += strideW) {
                corners.add(new long[] {i, j});
            }
        }
        for (int start = 0; start < corners.size(); start += internalBatch) {
            int end = Math.min(corners.size(), start + internalBatch);
            try (NDManager chunk = batch.newSubManager()) {
                // Lent to the chunk, so that the slices and sums of each window are freed with it.
                for (NDArray a : new NDArray[] {base, reference, seed, sum, count}) {
                    a.tempAttach(chunk);
                }
                NDList occluded = new NDList();
                for (int k = start; k < end; k++) {
                    NDArray x = input.duplicate();
                    x.attach(chunk);
                    NDIndex region = region(shape.length, corners.get(k));
                    x.set(region, base.get(region));
                    occluded.add(x);
                }
                NDArray logits = model.logits(chunk, NDArrays.concat(occluded, 0));
                for (int k = start; k < end; k++) {
                    NDArray target = logits.get((k - start) * n + ":" + (k - start + 1) * n).mul(seed).sum(new int[] {1});
                    long[] perSample = new long[shape.length];
                    java.util.Arrays.fill(perSample, 1);
                    perSample[0] = n;
                    NDArray drop = reference.sub(target).reshape(perSample);
                    NDIndex region = region(shape.length, corners.get(k));
                    sum.set(region, sum.get(region).add(drop));
                    count.set(region, count.get(region).add(1));
                }
            }
        }
        return sum.div(count.maximum(1)); // no autograd: occlusion only runs forward
    }

    /** All leading axes, and the window at {@code corner} on the last two. */
    private NDIndex region(int rank, long[] corner) {
        return new NDIndex().addAllDim(rank - 2).addSliceDim(corner[0], corner[0] + windowH)
                .addSliceDim(corner[1], corner[1] + windowW);
    }
}
