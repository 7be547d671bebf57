package io.candor.interop.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.candor.interop.CandorException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Grafts a second graph (an interpreter) onto a model: the part's inputs are connected to tensors of
 * the model, its internal names get a prefix so that nothing clashes, and its outputs become extra
 * outputs of the model, which keeps its own inputs and outputs unchanged. The model's operator set is
 * kept: the part must use ops whose meaning is the same there.
 */
public final class GraphMerge {
    private GraphMerge() {
    }

    /**
     * @param connect the part's input names to the model tensors that feed them
     * @param prefix put before the part's internal tensor and initializer names (not its outputs)
     */
    public static ModelProto attach(ModelProto model, ModelProto part, Map<String, String> connect, String prefix) {
        GraphProto m = model.getGraph();
        GraphProto p = part.getGraph();
        Set<String> modelNames = names(m);
        for (var e : connect.entrySet()) {
            if (!modelNames.contains(e.getValue())) {
                throw new CandorException("the model has no tensor '" + e.getValue() + "' to connect '" + e.getKey() + "' to");
            }
        }
        Set<String> partInitializers = new HashSet<>();
        p.getInitializerList().forEach(t -> partInitializers.add(t.getName()));
        for (ValueInfoProto in : p.getInputList()) {
            if (!connect.containsKey(in.getName()) && !partInitializers.contains(in.getName())) {
                throw new CandorException("the part's input '" + in.getName() + "' is not connected to the model");
            }
        }
        Set<String> outputs = new HashSet<>();
        p.getOutputList().forEach(o -> outputs.add(o.getName()));
        for (String o : outputs) {
            if (modelNames.contains(o)) {
                throw new CandorException("the model already has a tensor named '" + o + "'");
            }
        }
        for (String name : modelNames) {
            if (name.startsWith(prefix)) {
                throw new CandorException("the model already uses the prefix '" + prefix + "' ('" + name + "')");
            }
        }
        java.util.function.UnaryOperator<String> rename = name -> name.isEmpty() ? name
                : connect.containsKey(name) ? connect.get(name) : outputs.contains(name) ? name : prefix + name;
        GraphProto.Builder g = m.toBuilder();
        for (TensorProto t : p.getInitializerList()) {
            g.addInitializer(t.toBuilder().setName(rename.apply(t.getName())));
        }
        for (NodeProto n : p.getNodeList()) {
            NodeProto.Builder b = n.toBuilder().clearInput().clearOutput().setName(prefix + n.getName());
            n.getInputList().forEach(i -> b.addInput(rename.apply(i)));
            n.getOutputList().forEach(o -> b.addOutput(rename.apply(o)));
            g.addNode(b);
        }
        for (ValueInfoProto o : p.getOutputList()) {
            g.addOutput(o);
        }
        for (ValueInfoProto v : p.getValueInfoList()) {
            g.addValueInfo(v.toBuilder().setName(rename.apply(v.getName())));
        }
        return model.toBuilder().setGraph(g).build();
    }

    private static Set<String> names(GraphProto g) {
        Set<String> names = new HashSet<>();
        g.getInputList().forEach(i -> names.add(i.getName()));
        g.getInitializerList().forEach(i -> names.add(i.getName()));
        for (NodeProto n : g.getNodeList()) {
            names.addAll(n.getOutputList());
        }
        return names;
    }
}
