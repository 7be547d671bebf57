package io.candor.interop.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import io.candor.interop.CandorException;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.util.HashSet;
import java.util.Set;

/**
 * Builds new ONNX graphs node by node, for the architecture builders and the interpreter's export.
 * Names are the caller's; {@link #fresh} makes unique ones. Attributes are given as name/value pairs:
 * {@code long}, {@code float}, {@code String}, {@code long[]}, {@code float[]} or {@link HostTensor}.
 */
public final class GraphBuilder {
    /** The IR version written; ONNX Runtime 1.29 reads up to 11. */
    private static final long IR_VERSION = 8;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final long opset;
    private final Set<String> names = new HashSet<>();
    private int counter;

    public GraphBuilder(String name, long opset) {
        graph.setName(name);
        this.opset = opset;
    }

    public long opset() {
        return opset;
    }

    /** A name not used yet, from a prefix. */
    public String fresh(String prefix) {
        String n;
        do {
            n = prefix + "_" + counter++;
        } while (names.contains(n));
        names.add(n);
        return n;
    }

    /**
     * Declares a graph input. A dimension below zero is dynamic and is written as the symbol
     * {@code "batch"} for the first axis and {@code "d<i>"} for the others.
     */
    public String input(String name, DataType type, long... dims) {
        claim(name);
        graph.addInput(valueInfo(name, type, dims));
        return name;
    }

    public GraphBuilder output(String name, DataType type, long... dims) {
        graph.addOutput(valueInfo(name, type, dims));
        return this;
    }

    public String initializer(String name, HostTensor value) {
        claim(name);
        graph.addInitializer(TensorProtos.toProto(name, value));
        return name;
    }

    /** Adds a node with one output named {@code output} and returns that name. */
    public String node(String opType, String output, String[] inputs, Object... attributes) {
        node(opType, new String[] {output}, inputs, attributes);
        return output;
    }

    /** Adds a node with a generated output name and returns it. */
    public String node(String opType, String[] inputs, Object... attributes) {
        return node(opType, fresh(opType.toLowerCase()), inputs, attributes);
    }

    public void node(String opType, String[] outputs, String[] inputs, Object... attributes) {
        if (attributes.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come as name/value pairs");
        }
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(outputs[0] + "_node");
        for (String in : inputs) {
            n.addInput(in);
        }
        for (String out : outputs) {
            if (!out.isEmpty()) {
                claim(out);
            }
            n.addOutput(out);
        }
        for (int i = 0; i < attributes.length; i += 2) {
            n.addAttribute(attribute((String) attributes[i], attributes[i + 1]));
        }
        graph.addNode(n);
    }

    public ModelProto build() {
        return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("candor")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build();
    }

    public OnnxModel buildModel() {
        return OnnxReader.fromProto(build(), null);
    }

    private void claim(String name) {
        if (!names.add(name)) {
            throw new CandorException("the name '" + name + "' is used twice in the graph");
        }
    }

    private static ValueInfoProto valueInfo(String name, DataType type, long[] dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (dims[i] < 0) {
                d.setDimParam(i == 0 ? "batch" : "d" + i);
            } else {
                d.setDimValue(dims[i]);
            }
            shape.addDim(d);
        }
        TypeProto.Tensor.Builder tensor = TypeProto.Tensor.newBuilder().setElemType(type.onnxCode()).setShape(shape);
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    private static AttributeProto attribute(String name, Object value) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (value instanceof Long || value instanceof Integer) {
            a.setType(AttributeProto.AttributeType.INT).setI(((Number) value).longValue());
        } else if (value instanceof Float || value instanceof Double) {
            a.setType(AttributeProto.AttributeType.FLOAT).setF(((Number) value).floatValue());
        } else if (value instanceof String s) {
            a.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
        } else if (value instanceof long[] ls) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (long l : ls) {
                a.addInts(l);
            }
        } else if (value instanceof float[] fs) {
            a.setType(AttributeProto.AttributeType.FLOATS);
            for (float f : fs) {
                a.addFloats(f);
            }
        } else if (value instanceof HostTensor t) {
            a.setType(AttributeProto.AttributeType.TENSOR).setT(TensorProtos.toProto("", t));
        } else {
            throw new IllegalArgumentException("unsupported attribute value for '" + name + "': " + value);
        }
        return a.build();
    }
}
