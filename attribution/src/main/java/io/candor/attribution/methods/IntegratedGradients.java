package io.candor.attribution.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.candor.attribution.AttributionMethod;
import io.candor.attribution.Completeness;
import io.candor.attribution.DifferentiableModel;
import io.candor.interop.tensor.Tensors;

/**
 * Integrated gradients (Sundararajan et al. 2017): (input - baseline) times the path integral of the
 * gradient from the baseline to the input, by a quadrature rule. The path points are evaluated in chunks
 * of at most {@code internalBatch} rows (a row is one sample at one point; a chunk always holds at
 * least one point for every sample), so memory stays bounded.
 */
public final class IntegratedGradients implements AttributionMethod {
    private final NDArray baseline;
    private final Quadrature rule;
    private final int internalBatch;

    /** @param baseline broadcastable to the input (zeros when {@code null}) */
    public IntegratedGradients(NDArray baseline, Quadrature rule, int internalBatch) {
        this.baseline = baseline;
        this.rule = rule;
        this.internalBatch = internalBatch;
    }

    @Override
    public NDArray attribute(DifferentiableModel model, NDManager batch, NDArray input, long[] targets) {
        NDArray base = baselineFor(batch, input);
        NDArray delta = input.sub(base);
        long n = input.getShape().get(0);
        long classes = model.classes(batch, input);
        NDArray seed = DifferentiableModel.oneHot(batch, targets, classes);
        int perChunk = (int) Math.max(1, internalBatch / n);
        NDArray sum = input.zerosLike();
        for (int start = 0; start < rule.size(); start += perChunk) {
            int end = Math.min(rule.size(), start + perChunk);
            try (NDManager chunk = batch.newSubManager()) {
                // Results of ops join their first operand's manager: lend these to the chunk so that
                // each chunk's points and products are freed with it.
                base.tempAttach(chunk);
                delta.tempAttach(chunk);
                NDList points = new NDList();
                NDList seeds = new NDList();
                for (int k = start; k < end; k++) {
                    points.add(base.add(Tensors.times(delta, (float) rule.points()[k])));
                    seeds.add(seed);
                }
                NDArray rows = NDArrays.concat(points, 0);
                NDArray rowSeeds = NDArrays.concat(seeds, 0);
                points.close();
                rows.attach(chunk);
                rowSeeds.attach(chunk);
                NDArray grads = model.inputGradient(chunk, rows, rowSeeds);
                for (int k = start; k < end; k++) {
                    NDArray g = grads.get((k - start) * n + ":" + (k - start + 1) * n);
                    sum.addi(g.mul((float) rule.weights()[k])); // no autograd
                }
            }
        }
        return sum.mul(delta);
    }

    @Override
    public float[] completenessError(DifferentiableModel model, NDManager batch, NDArray input, long[] targets,
            NDArray attributions) {
        return Completeness.error(model, batch, input, baselineFor(batch, input), targets, attributions);
    }

    private NDArray baselineFor(NDManager batch, NDArray input) {
        // In the caller's manager, not the baseline's, which outlives every call.
        NDArray base = baseline == null ? input.zerosLike() : baseline.broadcast(input.getShape());
        base.attach(batch);
        return base;
    }
}
