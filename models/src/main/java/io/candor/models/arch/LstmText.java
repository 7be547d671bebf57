package io.candor.models.arch;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.tensor.DataType;

/**
 * A text classifier as PyTorch's exporter writes one: embedding lookup (Gather) of int64 token ids
 * [N, T], transposed to sequence-major, 1 or 2 LSTM layers, the last step's hidden state (Y_h, the
 * same as out[:, -1] of a batch-first nn.LSTM), and a linear head. Tensor names: "embedding",
 * "lstm1.Y_h", "last" (the final hidden state) and "fc" (the logits).
 */
public final class LstmText {
    public static final long OPSET = 13;

    private LstmText() {
    }

    public static ModelProto build(int vocabulary, int dim, int hidden, int layers, int classes, int steps, long seed) {
        if (layers < 1 || layers > 2) {
            throw new CandorException("lstm-text has 1 or 2 LSTM layers, got " + layers);
        }
        GraphBuilder g = new GraphBuilder("lstm-text", OPSET);
        Layers l = new Layers(g, seed);
        String ids = g.input("input", DataType.INT64, -1, steps);
        String table = l.embeddingTable("embedding.weight", vocabulary, dim);
        String embedded = g.node("Gather", "embedding", new String[] {table, ids});
        String sequence = g.node("Transpose", "sequence", new String[] {embedded}, "perm", new long[] {1, 0, 2});
        String[] out = null;
        int in = dim;
        for (int layer = 1; layer <= layers; layer++) {
            out = l.lstm("lstm" + layer, sequence, in, hidden);
            sequence = l.squeeze("lstm" + layer + ".sequence", out[0], 1);
            in = hidden;
        }
        String last = l.squeeze("last", out[1], 0);
        String logits = l.linear("fc", last, hidden, classes);
        g.output(logits, DataType.FLOAT32, -1, classes);
        return g.build();
    }
}
