package io.candor.attribution.cd;

import ai.djl.ndarray.NDArray;
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

    /** Per group: relevant [batch, classes] and irrelevant; and each group's mask. */
    public record Sweep(List<NDArray> masks, List<ContextualDecomposition.Decomposition> parts) {
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
        List<NDArray> masks = new ArrayList<>();
        List<ContextualDecomposition.Decomposition> parts = new ArrayList<>();
        for (long i = 0; i < h; i += tile) {
            for (long j = 0; j < w; j += tile) {
                NDArray mask = batch.zeros(new Shape(h, w));
                mask.set(new NDIndex().addSliceDim(i, Math.min(h, i + tile)).addSliceDim(j, Math.min(w, j + tile)), 1f);
                masks.add(mask);
                parts.add(cd.decompose(batch, inputs, input, mask, output));
            }
        }
        return new Sweep(masks, parts);
    }

    /** One token at a time, for a token input [batch, steps]. */
    public Sweep tokens(NDManager batch, Map<String, NDArray> inputs, String input, String output) {
        long[] s = inputs.get(input).getShape().getShape();
        List<NDArray> masks = new ArrayList<>();
        List<ContextualDecomposition.Decomposition> parts = new ArrayList<>();
        for (long t = 0; t < s[1]; t++) {
            NDArray mask = batch.zeros(new Shape(s[0], s[1]));
            mask.set(new NDIndex().addAllDim().addIndices(t), 1f);
            masks.add(mask);
            parts.add(cd.decomposeTokens(batch, inputs, input, mask, output));
        }
        return new Sweep(masks, parts);
    }
}
