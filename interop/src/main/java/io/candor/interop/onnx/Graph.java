package io.candor.interop.onnx;

import io.candor.interop.CandorException;
import io.candor.interop.tensor.HostTensor;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX graph as Candor uses it: the inputs a caller feeds (graph inputs that are not initializers),
 * the outputs, the nodes in topological order and the initializers (weights) by name.
 */
public final class Graph {
    private final List<ValueInfo> inputs;
    private final List<ValueInfo> outputs;
    private final List<Node> nodes;
    private final Map<String, HostTensor> initializers;
    private final Map<String, Node> producers = new HashMap<>();

    public Graph(List<ValueInfo> inputs, List<ValueInfo> outputs, List<Node> nodes,
            Map<String, HostTensor> initializers) {
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.nodes = List.copyOf(nodes);
        this.initializers = Collections.unmodifiableMap(initializers);
        for (Node n : nodes) {
            for (String out : n.outputs()) {
                if (!out.isEmpty()) {
                    producers.put(out, n);
                }
            }
        }
    }

    public List<ValueInfo> inputs() {
        return inputs;
    }

    public List<ValueInfo> outputs() {
        return outputs;
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** Initializers by name, in file order. */
    public Map<String, HostTensor> initializers() {
        return initializers;
    }

    /** The node that computes {@code tensor}, or {@code null} for inputs and initializers. */
    public Node producer(String tensor) {
        return producers.get(tensor);
    }

    public boolean isInput(String tensor) {
        return inputs.stream().anyMatch(v -> v.name().equals(tensor));
    }

    /** True when some node, input or initializer provides {@code tensor}. */
    public boolean hasTensor(String tensor) {
        return producers.containsKey(tensor) || initializers.containsKey(tensor) || isInput(tensor);
    }

    public ValueInfo input(String name) {
        return inputs.stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> new CandorException("the model has no input '" + name + "'; inputs: "
                        + inputs.stream().map(ValueInfo::name).toList()));
    }

    /** Total number of elements over all floating-point initializers. */
    public long parameterCount() {
        return initializers.values().stream().filter(t -> t.type().isFloating()).mapToLong(HostTensor::size).sum();
    }

    /**
     * The nodes needed to compute {@code wanted} from the {@code given} tensors and the initializers, in
     * graph order. The tensors they would also need that no node computes (graph inputs not given) are
     * added to {@code missing}.
     */
    public List<Node> nodesFor(Collection<String> wanted, Set<String> given, Set<String> missing) {
        Set<Integer> needed = new HashSet<>();
        Deque<String> stack = new ArrayDeque<>(wanted);
        Set<String> seen = new HashSet<>();
        while (!stack.isEmpty()) {
            String t = stack.pop();
            if (!seen.add(t) || given.contains(t) || initializers.containsKey(t)) {
                continue;
            }
            Node p = producer(t);
            if (p == null) {
                missing.add(t);
            } else if (needed.add(p.index())) {
                p.inputs().stream().filter(s -> !s.isEmpty()).forEach(stack::push);
            }
        }
        return nodes.stream().filter(n -> needed.contains(n.index())).toList();
    }

    /** Fails with a message that lists some valid names when {@code tensor} is not in the graph. */
    public void requireTensor(String tensor) {
        if (!hasTensor(tensor)) {
            List<String> some = nodes.stream().map(n -> n.output(0)).limit(12).toList();
            throw new CandorException("no tensor named '" + tensor + "' in the model; `candor inspect` lists"
                    + " them, e.g. " + some);
        }
    }
}
