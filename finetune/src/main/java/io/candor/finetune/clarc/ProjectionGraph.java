package io.candor.finetune.clarc;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.TensorProtos;
import io.candor.interop.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * P-ClArC written into the graph: after a tensor a [N, ...] of D values per sample, every consumer reads
 * a' = a - v (v^T (a - z)) instead, so the artifact's direction v is held at its value in z (the mean of
 * artifact-free samples) and everything orthogonal to v passes unchanged. Six ordinary nodes (Flatten,
 * Sub, MatMul, MatMul, Sub, Reshape) and the vectors v [D, 1], v^T [1, D] and z [1, D]; never a D x D
 * matrix. Any ONNX runtime runs the result; nothing else in the graph changes.
 */
public final class ProjectionGraph {
    private ProjectionGraph() {
    }

    /** The corrected tensor that the consumers of {@code tensor} read once the projection is in. */
    public static String output(String tensor) {
        return tensor + "/clarc";
    }

    /**
     * @param tensor the tensor to correct, produced by a node or a graph input
     * @param sampleShape its shape without the batch axis, whose product is D
     * @param z the value the direction is held at, [D]
     */
    public static ModelProto insert(OnnxModel model, String tensor, long[] sampleShape, float[] v, float[] z) {
        long d = 1;
        for (long s : sampleShape) {
            d *= s;
        }
        if (v.length != d || z.length != d) {
            throw new CandorException("the direction has " + v.length + " values and the mean " + z.length + ", but '" + tensor
                    + "' has " + d + " per sample");
        }
        GraphProto graph = model.proto().getGraph();
        if (!model.graph().hasTensor(tensor)) {
            throw new CandorException(model.label() + " has no tensor '" + tensor + "' (names from candor inspect)");
        }
        String p = tensor + "/clarc/";
        String corrected = output(tensor);
        for (String name : List.of(p + "z", p + "v", p + "vt", p + "shape", corrected)) {
            if (model.graph().hasTensor(name)) {
                throw new CandorException(model.label() + " already has a tensor '" + name + "': is the projection in it already?");
            }
        }
        long[] back = new long[sampleShape.length + 1];
        back[0] = -1;
        System.arraycopy(sampleShape, 0, back, 1, sampleShape.length);
        List<NodeProto> projection = List.of(
                node("Flatten", List.of(tensor), p + "flat", AttributeProto.newBuilder().setName("axis")
                        .setType(AttributeProto.AttributeType.INT).setI(1).build()),
                node("Sub", List.of(p + "flat", p + "z"), p + "centred", null),
                node("MatMul", List.of(p + "centred", p + "v"), p + "score", null),
                node("MatMul", List.of(p + "score", p + "vt"), p + "correction", null),
                node("Sub", List.of(p + "flat", p + "correction"), p + "projected", null),
                node("Reshape", List.of(p + "projected", p + "shape"), corrected, null));

        GraphProto.Builder g = graph.toBuilder().clearNode();
        boolean isInput = graph.getInputList().stream().anyMatch(i -> i.getName().equals(tensor));
        if (isInput) {
            g.addAllNode(projection);
        }
        for (NodeProto n : graph.getNodeList()) {
            g.addNode(rewire(n, tensor, corrected));
            if (n.getOutputList().contains(tensor)) {
                g.addAllNode(projection);
            }
        }
        g.addInitializer(TensorProtos.toProto(p + "z", HostTensor.ofFloats(new long[] {1, d}, z)));
        g.addInitializer(TensorProtos.toProto(p + "v", HostTensor.ofFloats(new long[] {d, 1}, v)));
        g.addInitializer(TensorProtos.toProto(p + "vt", HostTensor.ofFloats(new long[] {1, d}, v)));
        g.addInitializer(TensorProtos.toProto(p + "shape", HostTensor.ofLongs(new long[] {back.length}, back)));
        return model.proto().toBuilder().setGraph(g).build();
    }

    /** {@code n} reading {@code corrected} wherever it read {@code tensor}. */
    private static NodeProto rewire(NodeProto n, String tensor, String corrected) {
        if (!n.getInputList().contains(tensor)) {
            return n;
        }
        NodeProto.Builder b = n.toBuilder().clearInput();
        List<String> inputs = new ArrayList<>(n.getInputList());
        inputs.replaceAll(i -> i.equals(tensor) ? corrected : i);
        return b.addAllInput(inputs).build();
    }

    private static NodeProto node(String op, List<String> inputs, String output, AttributeProto attribute) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(output).addAllInput(inputs).addOutput(output);
        if (attribute != null) {
            b.addAttribute(attribute);
        }
        return b.build();
    }
}
