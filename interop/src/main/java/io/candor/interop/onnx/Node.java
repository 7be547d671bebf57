package io.candor.interop.onnx;

import java.util.List;

/**
 * One ONNX node. Optional inputs that the model leaves out are empty strings, as in the file.
 *
 * @param index position in the graph's topological order
 */
public record Node(int index, String name, String opType, String domain, List<String> inputs,
        List<String> outputs, Attributes attributes) {

    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** The name of input {@code i}, or {@code ""} when it is absent. */
    public String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }

    public boolean hasInput(int i) {
        return !input(i).isEmpty();
    }

    public String output(int i) {
        return i < outputs.size() ? outputs.get(i) : "";
    }

    /** How error messages name this node: op type, node name and first output. */
    public String describe() {
        String label = name.isEmpty() ? "#" + index : "'" + name + "'";
        return opType + " node " + label + " (output '" + output(0) + "')";
    }
}
