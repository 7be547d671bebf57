package io.candor.interpreter;

import io.candor.interop.onnx.Graph;
import io.candor.interop.onnx.Node;
import io.candor.interop.tensor.HostTensor;

/**
 * What the decoder reconstructs for token inputs: ids have no distance to fit, so FLINT's input
 * fidelity is taken on the mean of the sentence's word embeddings, read from the model's own embedding
 * table (the Gather of an initializer by the input ids, as PyTorch exports nn.Embedding). Every position
 * counts, padding included, since that is what the model reads and the padding id is not known in
 * general.
 */
public final class MeanEmbedding {
    private MeanEmbedding() {
    }

    /** The embedding table [V, E] that the model gathers {@code input} from, or null if it has none. */
    public static HostTensor table(Graph graph, String input) {
        for (Node n : graph.nodes()) {
            if (n.opType().equals("Gather") && n.inputs().size() == 2 && n.inputs().get(1).equals(input)) {
                HostTensor table = graph.initializers().get(n.inputs().get(0));
                if (table != null && table.rank() == 2 && table.type().isFloating()) {
                    return table;
                }
            }
        }
        return null;
    }

    /** ids [N, T] -> [N, E], the mean over positions of table[id]. */
    public static HostTensor of(HostTensor ids, HostTensor table) {
        long[] shape = ids.shape();
        int n = (int) shape[0];
        int steps = (int) (ids.size() / Math.max(1, n));
        int dim = (int) table.shape()[1];
        long vocabulary = table.shape()[0];
        long[] id = ids.toLongArray();
        float[] t = table.toFloatArray();
        float[] mean = new float[n * dim];
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < steps; s++) {
                long w = id[i * steps + s];
                if (w < 0 || w >= vocabulary) {
                    throw new io.candor.interop.CandorException("token id " + w + " is outside the embedding table's "
                            + vocabulary + " rows (sample " + i + ")");
                }
                for (int e = 0; e < dim; e++) {
                    mean[i * dim + e] += t[(int) (w * dim + e)] / steps;
                }
            }
        }
        return HostTensor.ofFloats(new long[] {n, dim}, mean);
    }
}
