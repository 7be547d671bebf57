package io.candor.interop.exec;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.Graph;
import io.candor.interop.onnx.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Walks the part of a graph that lies between some given tensors (the feeds: graph inputs or any
 * intermediate tensor, which is how a frozen prefix is cut off) and some wanted tensors, computing each
 * node with a {@link Semantics}. Each node runs in its own sub-manager, so an op's temporaries are freed
 * when it finishes, and every intermediate value is released after its last use.
 *
 * <p>Not thread-safe: weights move between managers while a node runs.
 *
 * @param <V> the value type of the semantics
 */
public final class GraphRunner<V> {
    private final Graph graph;
    private final Semantics<V> semantics;
    private final Function<String, NDArray> weights;
    private final Map<List<Object>, Plan> plans = new ConcurrentHashMap<>();

    /**
     * @param weights gives the array of an initializer by name (owned by the caller, never released)
     */
    public GraphRunner(Graph graph, Semantics<V> semantics, Function<String, NDArray> weights) {
        this.graph = graph;
        this.semantics = semantics;
        this.weights = weights;
    }

    /**
     * Computes {@code wanted} from {@code feeds}. The returned values live in the context's batch
     * manager; a wanted tensor that is also fed is returned as given.
     */
    public Map<String, V> run(Map<String, V> feeds, List<String> wanted, EvalContext context) {
        Plan plan = plans.computeIfAbsent(List.of(Set.copyOf(feeds.keySet()), List.copyOf(wanted)),
                k -> plan(feeds.keySet(), wanted));
        Map<String, V> values = new HashMap<>(feeds);
        Map<String, V> constants = new HashMap<>();
        context = context.withTracked(tracked(plan, feeds));
        Set<String> keep = new HashSet<>(wanted);
        keep.addAll(feeds.keySet());
        for (int step = 0; step < plan.nodes.size(); step++) {
            Node node = plan.nodes.get(step);
            List<V> inputs = new ArrayList<>(node.inputs().size());
            for (String name : node.inputs()) {
                inputs.add(name.isEmpty() ? null
                        : values.containsKey(name) ? values.get(name)
                        : constants.computeIfAbsent(name, n -> semantics.constant(weights.apply(n))));
            }
            List<V> outputs = applyScoped(node, inputs, context);
            for (int i = 0; i < node.outputs().size(); i++) {
                String name = node.output(i);
                V value = i < outputs.size() ? outputs.get(i) : null;
                if (name.isEmpty() || value == null) {
                    continue;
                }
                if (plan.lastUse.getOrDefault(name, -1) < step && !keep.contains(name)) {
                    semantics.release(value);
                } else {
                    values.put(name, value);
                }
            }
            for (String name : plan.freedAfter.getOrDefault(step, List.of())) {
                if (!keep.contains(name)) {
                    V value = values.remove(name);
                    if (value != null) {
                        semantics.release(value);
                    }
                }
            }
        }
        Map<String, V> result = new LinkedHashMap<>();
        for (String name : wanted) {
            result.put(name, values.get(name));
        }
        return result;
    }

    /**
     * The tensors autograd records in this run: those that depend on a weight or a fed array that
     * requires a gradient. Empty outside grad mode. A fed intermediate tensor counts as recorded
     * whenever grad mode is on, since DJL cannot tell whether a non-leaf array requires a gradient.
     */
    private Set<String> tracked(Plan plan, Map<String, V> feeds) {
        if (!JniUtils.isGradMode()) {
            return Set.of();
        }
        Set<String> tracked = new HashSet<>();
        feeds.forEach((name, value) -> {
            if (!graph.isInput(name) || (value != null && semantics.arrays(value).stream().anyMatch(GraphRunner::leafRequiresGrad))) {
                tracked.add(name);
            }
        });
        for (Node node : plan.nodes) {
            for (String in : node.inputs()) {
                if (!in.isEmpty() && (tracked.contains(in) || (graph.initializers().containsKey(in)
                        && !feeds.containsKey(in) && leafRequiresGrad(weights.apply(in))))) {
                    tracked.add(in);
                    tracked.addAll(node.outputs());
                }
            }
        }
        return tracked;
    }

    /** True for a leaf array marked as requiring a gradient (DJL answers false for every non-leaf). */
    private static boolean leafRequiresGrad(NDArray a) {
        return a instanceof PtNDArray pt && JniUtils.requiresGrad(pt);
    }

    private List<V> applyScoped(Node node, List<V> inputs, EvalContext context) {
        List<NDArray> operands = new ArrayList<>();
        inputs.stream().filter(java.util.Objects::nonNull).forEach(in -> operands.addAll(semantics.arrays(in)));
        return OpScope.run(context.batchManager(), operands, scope -> {
            try {
                return semantics.apply(node, inputs, context.withScope(scope));
            } catch (CandorException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new CandorException(node.describe() + " failed: " + e.getMessage(), e);
            }
        }, outputs -> {
            List<NDArray> arrays = new ArrayList<>();
            outputs.stream().filter(java.util.Objects::nonNull).forEach(out -> arrays.addAll(semantics.arrays(out)));
            return arrays;
        });
    }

    /** The nodes needed for {@code wanted} given {@code fed}, and when each tensor is last read. */
    private Plan plan(Set<String> fed, List<String> wanted) {
        wanted.forEach(graph::requireTensor);
        Set<String> missing = new java.util.LinkedHashSet<>();
        List<Node> nodes = graph.nodesFor(wanted, fed, missing);
        if (!missing.isEmpty()) {
            throw new CandorException("computing " + wanted + " needs the tensor '" + missing.iterator().next()
                    + "', which was not given (given: " + fed + ")");
        }
        Map<String, Integer> lastUse = new HashMap<>();
        for (int step = 0; step < nodes.size(); step++) {
            for (String in : nodes.get(step).inputs()) {
                if (!in.isEmpty()) {
                    lastUse.put(in, step);
                }
            }
        }
        Map<Integer, List<String>> freedAfter = new HashMap<>();
        lastUse.forEach((name, step) -> {
            if (!fed.contains(name) && !graph.initializers().containsKey(name)) {
                freedAfter.computeIfAbsent(step, s -> new ArrayList<>()).add(name);
            }
        });
        return new Plan(nodes, lastUse, freedAfter);
    }

    private record Plan(List<Node> nodes, Map<String, Integer> lastUse, Map<Integer, List<String>> freedAfter) {
    }
}
