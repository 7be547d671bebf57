package io.candor.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.Node;
import java.util.List;
import java.util.Map;

/**
 * A text model seen from its embedding lookup, so gradient methods can explain token inputs: the
 * "input" is the looked-up embedding vectors [batch, tokens, dim] and the token ids stay fixed (tiled
 * when a method stacks several copies of the batch). A token's attribution is then the sum over its
 * vector.
 */
public final class EmbeddingView implements DifferentiableModel {
    private final ExecutorModel model;
    private final String embedding;
    private final NDArray ids;

    public EmbeddingView(ExecutorModel model, NDArray ids) {
        this.model = model;
        this.embedding = lookup(model.executor(), model.input()).output(0);
        this.ids = ids;
    }

    /** The Gather that looks the token input up in an embedding table. */
    public static Node lookup(Executor executor, String input) {
        for (Node n : executor.graph().nodes()) {
            if (n.opType().equals("Gather") && n.input(1).equals(input)
                    && executor.graph().initializers().containsKey(n.input(0))) {
                return n;
            }
        }
        throw new CandorException("no embedding lookup (a Gather from a weight table) reads the token input '"
                + input + "'");
    }

    public String embeddingTensor() {
        return embedding;
    }

    /** The embedding vectors of the fixed tokens. */
    public NDArray embed(NDManager batch) {
        return model.executor().run(batch, Map.of(model.input(), ids), List.of(embedding)).get(embedding);
    }

    @Override
    public NDArray logits(NDManager batch, NDArray vectors) {
        return model.executor().run(batch, feeds(vectors), List.of(model.output())).get(model.output());
    }

    @Override
    public NDArray inputGradient(NDManager batch, NDArray vectors, NDArray seed) {
        return model.executor().gradients(batch, feeds(vectors), model.output(), seed, List.of(embedding)).get(embedding);
    }

    private Map<String, NDArray> feeds(NDArray vectors) {
        long copies = vectors.getShape().get(0) / ids.getShape().get(0);
        long[] repeats = new long[ids.getShape().dimension()];
        java.util.Arrays.fill(repeats, 1);
        repeats[0] = copies;
        NDArray tokens = copies == 1 ? ids : ids.tile(repeats);
        return Map.of(model.input(), tokens, embedding, vectors);
    }

    /** [batch, tokens, dim] attributions summed over each token's vector: [batch, tokens]. */
    public static NDArray perToken(NDArray attributions) {
        return attributions.sum(new int[] {attributions.getShape().dimension() - 1});
    }
}
