package io.candor.interop.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.candor.interop.CandorException;
import io.candor.interop.tensor.HostTensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an {@code .onnx} file into an {@link OnnxModel}, checking what a truncated, foreign or broken
 * file gets wrong: the protobuf itself, the operator set, tensors that nothing provides, and cycles.
 */
public final class OnnxReader {
    private OnnxReader() {
    }

    public static OnnxModel read(Path file) {
        if (Files.isDirectory(file)) {
            throw new CandorException("model file " + file + " is a folder, not an .onnx file");
        }
        if (!Files.isRegularFile(file)) {
            throw new CandorException("model file " + file + " does not exist");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return fromProto(parse(CodedInputStream.newInstance(in), file.toString()), file);
        } catch (IOException e) {
            throw new CandorException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a model from its bytes (as shipped to a cluster's workers); {@code label} names it in errors.
     * Initializers in external files cannot be found from bytes and are refused.
     */
    public static OnnxModel read(byte[] bytes, String label) {
        return fromProto(parse(CodedInputStream.newInstance(bytes), label), null);
    }

    private static ModelProto parse(CodedInputStream coded, String label) {
        coded.setSizeLimit(Integer.MAX_VALUE);
        try {
            return ModelProto.parseFrom(coded);
        } catch (InvalidProtocolBufferException e) {
            throw new CandorException(label + " is not a valid ONNX model (truncated or not ONNX): "
                    + firstSentence(e.getMessage()));
        } catch (IOException e) {
            throw new CandorException("cannot read " + label + ": " + e.getMessage(), e);
        }
    }

    /** Builds the graph model of {@code proto}; {@code source} resolves external data and names errors. */
    public static OnnxModel fromProto(ModelProto proto, Path source) {
        String label = source == null ? "model" : source.toString();
        if (!proto.hasGraph() || proto.getGraph().getNodeCount() == 0 || proto.getIrVersion() <= 0) {
            throw new CandorException(label + " is not an ONNX model (no graph, no nodes or no IR version)");
        }
        long opset = defaultOpset(proto, label);
        GraphProto g = proto.getGraph();

        Map<String, HostTensor> initializers = new LinkedHashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            String where = label + ": initializer '" + t.getName() + "'";
            initializers.put(t.getName(), t.getDataLocation() == TensorProto.DataLocation.EXTERNAL
                    ? readExternal(t, source, where) : TensorProtos.toHost(t, where));
        }
        List<ValueInfo> inputs = new ArrayList<>();
        for (ValueInfoProto v : g.getInputList()) {
            if (!initializers.containsKey(v.getName())) {
                inputs.add(valueInfo(v, label, "input"));
            }
        }
        List<ValueInfo> outputs = g.getOutputList().stream().map(v -> valueInfo(v, label, "output")).toList();

        Set<String> available = new HashSet<>(initializers.keySet());
        inputs.forEach(v -> available.add(v.name()));
        List<Node> nodes = sortTopologically(g.getNodeList(), available, label);
        Graph graph = new Graph(inputs, outputs, nodes, initializers);
        for (ValueInfo out : outputs) {
            if (!graph.hasTensor(out.name())) {
                throw new CandorException(label + ": graph output '" + out.name() + "' is computed by no node");
            }
        }
        return new OnnxModel(source, proto, graph, opset);
    }

    private static ValueInfo valueInfo(ValueInfoProto v, String label, String role) {
        try {
            return ValueInfo.of(v);
        } catch (CandorException e) {
            throw new CandorException(label + ": " + role + " '" + v.getName() + "': " + e.getMessage(), e);
        }
    }

    private static long defaultOpset(ModelProto proto, String label) {
        for (OperatorSetIdProto id : proto.getOpsetImportList()) {
            if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
                return id.getVersion();
            }
        }
        throw new CandorException(label + " imports no default ONNX operator set");
    }

    /**
     * Orders nodes so every input is computed before use (files are meant to be sorted already, but
     * some writers are careless). A tensor that nothing provides is a missing initializer.
     */
    private static List<Node> sortTopologically(List<NodeProto> protos, Set<String> available, String label) {
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < protos.size(); i++) {
            for (String out : protos.get(i).getOutputList()) {
                if (!out.isEmpty()) {
                    producer.put(out, i);
                }
            }
        }
        int[] missing = new int[protos.size()];
        List<List<Integer>> consumers = new ArrayList<>();
        for (int i = 0; i < protos.size(); i++) {
            consumers.add(new ArrayList<>());
        }
        for (int i = 0; i < protos.size(); i++) {
            NodeProto n = protos.get(i);
            for (String in : n.getInputList()) {
                if (in.isEmpty() || available.contains(in)) {
                    continue;
                }
                Integer p = producer.get(in);
                if (p == null) {
                    throw new CandorException(label + ": " + n.getOpType() + " node '" + n.getName()
                            + "' reads tensor '" + in + "', which no node, initializer or input provides"
                            + " (missing initializer?)");
                }
                missing[i]++;
                consumers.get(p).add(i);
            }
        }
        Deque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < protos.size(); i++) {
            if (missing[i] == 0) {
                ready.add(i);
            }
        }
        List<Node> sorted = new ArrayList<>(protos.size());
        while (!ready.isEmpty()) {
            int i = ready.poll();
            NodeProto n = protos.get(i);
            sorted.add(new Node(sorted.size(), n.getName(), n.getOpType(), n.getDomain(), n.getInputList(),
                    n.getOutputList(), new Attributes(n.getAttributeList())));
            for (int c : consumers.get(i)) {
                if (--missing[c] == 0) {
                    ready.add(c);
                }
            }
        }
        if (sorted.size() != protos.size()) {
            throw new CandorException(label + ": the graph has a cycle");
        }
        return sorted;
    }

    private static HostTensor readExternal(TensorProto t, Path source, String where) {
        Map<String, String> keys = new HashMap<>();
        for (StringStringEntryProto e : t.getExternalDataList()) {
            keys.put(e.getKey(), e.getValue());
        }
        String location = keys.get("location");
        if (source == null || location == null) {
            throw new CandorException(where + " keeps its data in an external file that cannot be located");
        }
        Path file = source.toAbsolutePath().getParent().resolve(location).normalize();
        long offset = Long.parseLong(keys.getOrDefault("offset", "0"));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = Long.parseLong(keys.getOrDefault("length", Long.toString(ch.size() - offset)));
            var buf = java.nio.ByteBuffer.allocate(Math.toIntExact(length));
            while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                // read until full or end of file
            }
            buf.flip();
            TensorProto inline = t.toBuilder().clearExternalData().setDataLocation(TensorProto.DataLocation.DEFAULT)
                    .setRawData(ByteString.copyFrom(buf)).build();
            return TensorProtos.toHost(inline, where);
        } catch (IOException | NumberFormatException e) {
            throw new CandorException(where + ": cannot read its external data " + file + ": " + e.getMessage(), e);
        }
    }

    /** protobuf's messages run to several sentences; the first says what is wrong. */
    static String firstSentence(String message) {
        if (message == null) {
            return "unreadable";
        }
        int end = message.indexOf(". ");
        String first = (end < 0 ? message : message.substring(0, end + 1)).strip();
        return first.length() > 160 ? first.substring(0, 157) + "..." : first;
    }
}
