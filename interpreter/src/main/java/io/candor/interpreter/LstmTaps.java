package io.candor.interpreter;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.GraphMerge;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * An LSTM's outputs as taps. ONNX's LSTM gives its hidden sequence Y as [T, D, N, H] and its final
 * state Y_h as [D, N, H]: the batch is not the first axis, which every tap needs. For such a tap the
 * model gets a few ordinary nodes that read the last step, batch first, [N, D H] (FLINT: "an LSTM's
 * hidden sequence, its last step"), and the interpreter taps that tensor, named TAP/last_step. The
 * model's outputs stay as they were; the added nodes travel into model_interpreted.onnx with the rest.
 */
public final class LstmTaps {
    /** The suffix of the batch-first tensor added for an LSTM output. */
    public static final String SUFFIX = "/last_step";

    /** The model, with the nodes the taps need, and the tap names to use in it. */
    public record Adapted(OnnxModel model, List<String> taps) {
    }

    private LstmTaps() {
    }

    /** Adds the last-step nodes for each tap that is an LSTM's Y or Y_h; other taps pass as they are. */
    public static Adapted adapt(OnnxModel model, List<String> taps) {
        ModelProto proto = model.proto();
        List<String> used = new ArrayList<>();
        boolean changed = false;
        for (String tap : taps) {
            int output = lstmOutput(proto.getGraph(), tap);
            if (output < 0 || model.graph().hasTensor(tap + SUFFIX)) {
                used.add(model.graph().hasTensor(tap + SUFFIX) && output >= 0 ? tap + SUFFIX : tap);
                continue;
            }
            proto = withLastStep(proto, tap, output == 0);
            used.add(tap + SUFFIX);
            changed = true;
        }
        return new Adapted(changed ? OnnxReader.fromProto(proto, model.source()) : model, used);
    }

    /** The LSTM output a last-step tensor reads ({@code tap} itself for any other tap). */
    public static String sourceOf(String tap) {
        return tap.endsWith(SUFFIX) ? tap.substring(0, tap.length() - SUFFIX.length()) : tap;
    }

    /** 0 if {@code tensor} is an LSTM's Y, 1 if its Y_h, -1 otherwise. */
    private static int lstmOutput(GraphProto graph, String tensor) {
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("LSTM")) {
                for (int i = 0; i < Math.min(2, n.getOutputCount()); i++) {
                    if (n.getOutput(i).equals(tensor)) {
                        return i;
                    }
                }
            }
        }
        return -1;
    }

    /**
     * Y [T, D, N, H]: Slice the last step [1, D, N, H], Transpose to [N, 1, D, H]; Y_h [D, N, H]:
     * Transpose to [N, D, H]; then Reshape to [N, D H]. Only Slice, Transpose and Reshape, whose
     * meaning has not changed since opset 10, so the model's own opset serves.
     */
    private static ModelProto withLastStep(ModelProto model, String tap, boolean sequence) {
        GraphBuilder g = new GraphBuilder("last-step", 13);
        String x = g.input("lstm_output", DataType.FLOAT32, sequence ? new long[] {-1, -1, -1, -1} : new long[] {-1, -1, -1});
        String batchFirst;
        if (sequence) {
            String last = g.node("Slice", "last", new String[] {x, longs(g, "starts", -1), longs(g, "ends", Long.MAX_VALUE),
                longs(g, "axes", 0)});
            batchFirst = g.node("Transpose", "batch_first", new String[] {last}, "perm", new long[] {2, 0, 1, 3});
        } else {
            batchFirst = g.node("Transpose", "batch_first", new String[] {x}, "perm", new long[] {1, 0, 2});
        }
        String out = g.node("Reshape", tap + SUFFIX, new String[] {batchFirst, longs(g, "shape", 0, -1)});
        g.output(out, DataType.FLOAT32, -1, -1);
        ModelProto merged = GraphMerge.attach(model, g.build(), java.util.Map.of(x, tap), tap + SUFFIX + "/");
        // The tensor is a hidden one to tap, not a result: the model keeps its own outputs.
        GraphProto.Builder graph = merged.getGraph().toBuilder();
        graph.removeOutput(graph.getOutputCount() - 1);
        return merged.toBuilder().setGraph(graph).build();
    }

    private static String longs(GraphBuilder g, String name, long... values) {
        return g.initializer(name, HostTensor.ofLongs(new long[] {values.length}, values));
    }
}
