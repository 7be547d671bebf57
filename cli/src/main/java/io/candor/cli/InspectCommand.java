package io.candor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.exec.ShapeProbe;
import io.candor.interop.onnx.Graph;
import io.candor.interop.onnx.Node;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.onnx.ValueInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code candor inspect}: what is in a model, with every tensor's name and shape. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Shows a model's inputs, outputs and every tensor with its shape.", "",
            "Lists the inputs, outputs, opset, parameter count and every node with its op type, output",
            "tensor and shape. Shapes come from running one batch of zeros (batch size 1), so the tensor",
            "names shown are the ones to give as --layer, taps or cut points."})
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--shape", paramLabel = "INPUT=D1,D2,...",
            description = "Input shape to probe with, when the model's dimensions are symbolic (e.g. x=1,3,224,224).")
    Map<String, String> shapes = new LinkedHashMap<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        OnnxModel onnx = OnnxReader.read(model);
        Map<String, long[]> tensorShapes;
        String probeError = null;
        try (Executor executor = Executor.of(onnx)) {
            Map<String, long[]> inputShapes = ShapeProbe.inputShapes(executor, ModelFiles.parseShapes(shapes));
            try {
                tensorShapes = ShapeProbe.probe(executor, inputShapes);
            } catch (CandorException e) {
                tensorShapes = Map.of();
                probeError = e.getMessage();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            printJson(onnx, tensorShapes, probeError, out);
        } else {
            printTable(onnx, tensorShapes, probeError, out);
        }
        return 0;
    }

    private static void printTable(OnnxModel onnx, Map<String, long[]> shapes, String probeError, PrintWriter out) {
        Graph g = onnx.graph();
        out.printf("model:      %s%n", onnx.label());
        out.printf("opset:      %d   producer: %s %s%n", onnx.opset(), onnx.proto().getProducerName(),
                onnx.proto().getProducerVersion());
        out.printf("parameters: %,d in %d initializers%n", g.parameterCount(), g.initializers().size());
        g.inputs().forEach(v -> out.printf("input:      %s%n", v));
        g.outputs().forEach(v -> out.printf("output:     %s%n", v));
        if (probeError != null) {
            out.printf("shapes:     not available (%s); give --shape INPUT=DIMS%n", probeError);
        }
        out.println();
        int opWidth = Math.max(7, g.nodes().stream().mapToInt(n -> n.opType().length()).max().orElse(7));
        int nameWidth = Math.max(6, g.nodes().stream().mapToInt(n -> n.output(0).length()).max().orElse(6));
        String row = "%4s  %-" + opWidth + "s  %-" + nameWidth + "s  %s%n";
        out.printf(row, "#", "op", "tensor", "shape");
        for (Node n : g.nodes()) {
            for (int i = 0; i < n.outputs().size(); i++) {
                String t = n.output(i);
                if (!t.isEmpty()) {
                    out.printf(row, i == 0 ? n.index() : "", i == 0 ? n.opType() : "", t, ShapeProbe.format(shapes.get(t)));
                }
            }
        }
        out.flush();
    }

    private static void printJson(OnnxModel onnx, Map<String, long[]> shapes, String probeError, PrintWriter out)
            throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Graph g = onnx.graph();
        ObjectNode root = mapper.createObjectNode();
        root.put("model", onnx.label());
        root.put("opset", onnx.opset());
        root.put("producer", onnx.proto().getProducerName());
        root.put("parameters", g.parameterCount());
        root.set("inputs", valueInfos(mapper, g.inputs()));
        root.set("outputs", valueInfos(mapper, g.outputs()));
        if (probeError != null) {
            root.put("shapeError", probeError);
        }
        ArrayNode nodes = root.putArray("nodes");
        for (Node n : g.nodes()) {
            ObjectNode jn = nodes.addObject();
            jn.put("index", n.index());
            jn.put("op", n.opType());
            jn.put("name", n.name());
            ArrayNode outs = jn.putArray("outputs");
            for (String t : n.outputs()) {
                if (!t.isEmpty()) {
                    ObjectNode o = outs.addObject();
                    o.put("tensor", t);
                    long[] s = shapes.get(t);
                    if (s != null) {
                        ArrayNode dims = o.putArray("shape");
                        for (long d : s) {
                            dims.add(d);
                        }
                    }
                }
            }
        }
        out.println(mapper.writeValueAsString(root));
        out.flush();
    }

    private static ArrayNode valueInfos(ObjectMapper mapper, List<ValueInfo> infos) {
        ArrayNode arr = mapper.createArrayNode();
        for (ValueInfo v : infos) {
            ObjectNode o = arr.addObject();
            o.put("name", v.name());
            o.put("type", v.type() == null ? null : v.type().name().toLowerCase());
            ArrayNode dims = o.putArray("dims");
            v.dims().forEach(dims::add);
        }
        return arr;
    }
}
