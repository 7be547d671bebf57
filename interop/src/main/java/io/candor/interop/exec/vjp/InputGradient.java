package io.candor.interop.exec.vjp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.exec.EvalContext;
import io.candor.interop.exec.Executor;
import io.candor.interop.exec.OpScope;
import io.candor.interop.onnx.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gradient of a function of a model's output with respect to its input, written out as an explicit
 * backward pass of ordinary ops over the forward values ({@link VjpRule} per op). Unlike autograd's input
 * gradient it is an ordinary differentiable tensor: a penalty on it (RRR, Expected Gradients) trains with
 * one backward pass. libtorch's way, backward with create_graph, leaves a reference cycle between each
 * leaf and its gradient that DJL cannot break, and leaked memory at every step.
 */
public final class InputGradient {
    private static final Set<String> NON_DIFFERENTIABLE = Set.of("Shape", "Size");
    private final Executor executor;
    private final Map<String, VjpRule> rules = VjpRules.standard();

    public InputGradient(Executor executor) {
        this.executor = executor;
    }

    /** A forward pass whose values are kept for the backward one. */
    public final class Pass {
        private final Map<String, NDArray> values;
        private final List<Node> nodes;
        private final String input;
        private final String output;
        private final EvalContext context;

        private Pass(Map<String, NDArray> values, List<Node> nodes, String input, String output, EvalContext context) {
            this.values = values;
            this.nodes = nodes;
            this.input = input;
            this.output = output;
            this.context = context;
        }

        public NDArray output() {
            return values.get(output);
        }

        /**
         * d f / d input for a function f of the output whose gradient with respect to the output is
         * {@code seed}; differentiable in the weights (and in the seed).
         */
        public NDArray inputGradient(NDArray seed) {
            Set<String> dependent = dependentOnInput();
            Map<String, NDArray> grads = new HashMap<>();
            grads.put(output, seed);
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Node node = nodes.get(i);
                for (int k = 1; k < node.outputs().size(); k++) {
                    if (grads.containsKey(node.output(k))) {
                        throw VjpRule.unsupported(node, "gradients through an op's second or later output");
                    }
                }
                NDArray g = grads.get(node.output(0));
                if (g == null) {
                    continue;
                }
                for (int k = 1; k < node.inputs().size(); k++) {
                    if (dependent.contains(node.input(k))) {
                        throw VjpRule.unsupported(node, "ops where an input other than the first depends on the model's input");
                    }
                }
                if (!dependent.contains(node.input(0))) {
                    continue;
                }
                VjpRule rule = rules.get(node.opType());
                if (rule == null) {
                    throw VjpRule.unsupported(node, node.opType() + " (it handles " + new java.util.TreeSet<>(rules.keySet()) + ")");
                }
                List<NDArray> inputs = new ArrayList<>();
                for (String name : node.inputs()) {
                    inputs.add(name.isEmpty() ? null : values.containsKey(name) ? values.get(name) : executor.weights().get(name));
                }
                NDArray back = applyScoped(rule, node, inputs, g);
                grads.merge(node.input(0), back, NDArray::add);
            }
            NDArray result = grads.get(input);
            return result == null ? values.get(input).zerosLike() : result;
        }

        /** The rule in a scope of its own, as the executor runs ops ({@link OpScope}). */
        private NDArray applyScoped(VjpRule rule, Node node, List<NDArray> inputs, NDArray g) {
            NDArray out = values.get(node.output(0));
            List<NDArray> operands = new ArrayList<>(inputs);
            operands.add(g);
            operands.add(out);
            return OpScope.run(context.batchManager(), operands,
                    scope -> rule.apply(node, inputs, out, g, context.trainingAt(node)), List::of);
        }

        private Set<String> dependentOnInput() {
            Set<String> dependent = new HashSet<>(Set.of(input));
            for (Node node : nodes) {
                // A shape is not a differentiable function of the values it measures.
                if (!NON_DIFFERENTIABLE.contains(node.opType()) && node.inputs().stream().anyMatch(dependent::contains)) {
                    node.outputs().stream().filter(o -> !o.isEmpty()).forEach(dependent::add);
                }
            }
            return dependent;
        }
    }

    /**
     * Runs the model from {@code feeds} (which may replace weights too), keeping every intermediate
     * value; results live in {@code batch}.
     */
    public Pass forward(NDManager batch, Map<String, NDArray> feeds, String input, String output) {
        List<Node> nodes = executor.graph().nodesFor(List.of(output), feeds.keySet(), new LinkedHashSet<>());
        Set<String> wanted = new LinkedHashSet<>();
        nodes.forEach(n -> n.outputs().stream().filter(o -> !o.isEmpty()).forEach(wanted::add));
        wanted.add(output);
        Map<String, NDArray> values = new HashMap<>(executor.run(batch, feeds, new ArrayList<>(wanted)));
        values.putAll(feeds);
        return new Pass(values, nodes, input, output, executor.context(batch));
    }
}
