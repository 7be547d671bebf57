package io.candor.attribution.cd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.CandorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scores of groups that tile the input, one CD pass per group: square tiles of an image (ACD's unit
 * level) or single tokens of a sentence (CD's unigram scores). Gives a map where each feature carries
 * the relevant score of its group.
 */
public final class CdSweep {
    private final ContextualDecomposition cd;

    public CdSweep(ContextualDecomposition cd) {
        this.cd = cd;
    }

    /**
     * The sweep's result: per group, the region it covers (an index into an input-shaped array) and the
     * relevant and irrelevant parts, stacked as [batch, groups, classes].
     */
    public record Sweep(List<NDIndex> regions, NDArray relevant, NDArray irrelevant) {
    }

    /** Square tiles of side {@code tile} over the last two axes of {@code x} (partial tiles at the edges). */
    public Sweep tiles(NDManager batch, Map<String, NDArray> inputs, String input, int tile, String output) {
        NDArray x = inputs.get(input);
        long[] s = x.getShape().getShape();
        if (s.length < 3) {
            throw new CandorException("a CD tile sweep needs spatial axes; the input has shape " + x.getShape()
                    + " (give --mask instead)");
        }
        long h = s[s.length - 2];
        long w = s[s.length - 1];
        List<NDIndex> inMask = new ArrayList<>();
        List<NDIndex> inInput = new ArrayList<>();
        for (long i = 0; i < h; i += tile) {
            for (long j = 0; j < w; j += tile) {
                long i1 = Math.min(h, i + tile);
                long j1 = Math.min(w, j + tile);
                inMask.add(new NDIndex().addSliceDim(i, i1).addSliceDim(j, j1));
                inInput.add(new NDIndex().addAllDim(s.length - 2).addSliceDim(i, i1).addSliceDim(j, j1));
            }
        }
        return sweep(batch, inputs.values(), inMask, inInput, new Shape(h, w),
                (scope, mask) -> cd.decompose(scope, inputs, input, mask, output));
    }

    /** One token at a time, for a token input [batch, steps]. */
    public Sweep tokens(NDManager batch, Map<String, NDArray> inputs, String input, String output) {
        long[] s = inputs.get(input).getShape().getShape();
        List<NDIndex> tokens = new ArrayList<>();
        for (long t = 0; t < s[1]; t++) {
            tokens.add(new NDIndex().addAllDim().addSliceDim(t, t + 1));
        }
        return sweep(batch, inputs.values(), tokens, tokens, new Shape(s[0], s[1]),
                (scope, mask) -> cd.decomposeTokens(scope, inputs, input, mask, output));
    }

    /**
     * Decomposes each group in a manager of its own (the inputs lent to it), keeping only the [batch,
     * classes] parts: a sweep over thousands of tiles holds no mask or input-sized temporary for long.
     *
     * @param inMask each group's place in a mask of {@code maskShape}; {@code inInput} in an input-shaped array
     */
    private static Sweep sweep(NDManager batch, java.util.Collection<NDArray> inputs, List<NDIndex> inMask,
            List<NDIndex> inInput, Shape maskShape,
            java.util.function.BiFunction<NDManager, NDArray, ContextualDecomposition.Decomposition> decompose) {
        NDList relevant = new NDList();
        NDList irrelevant = new NDList();
        for (NDIndex place : inMask) {
            try (NDManager scope = batch.newSubManager()) {
                inputs.forEach(a -> a.tempAttach(scope));
                NDArray mask = scope.zeros(maskShape);
                mask.set(place, 1f);
                ContextualDecomposition.Decomposition d = decompose.apply(scope, mask);
                NDArray r = d.relevant().expandDims(1);
                NDArray i = d.irrelevant().expandDims(1);
                r.attach(batch);
                i.attach(batch);
                relevant.add(r);
                irrelevant.add(i);
            }
        }
        Sweep sweep = new Sweep(inInput, NDArrays.concat(relevant, 1), NDArrays.concat(irrelevant, 1));
        relevant.close();
        irrelevant.close();
        return sweep;
    }
}
