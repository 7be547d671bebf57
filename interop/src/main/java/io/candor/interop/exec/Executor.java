package io.candor.interop.exec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.candor.interop.CandorException;
import io.candor.interop.exec.ops.Constant;
import io.candor.interop.onnx.Graph;
import io.candor.interop.onnx.Node;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.onnx.ValueInfo;
import io.candor.interop.tensor.HostTensor;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs an ONNX graph on DJL's PyTorch engine, with autograd. Any tensor can be fed (a graph input or
 * an intermediate tensor, cutting off everything before it) and any tensor can be asked for. The
 * weights live in the executor's own manager; everything a run makes lives in the caller's manager, so
 * closing that manager after a batch frees the batch.
 *
 * <p>Attribution methods run the same graph with values of their own through {@link #runner}.
 * Not thread-safe.
 */
public final class Executor implements AutoCloseable {
    private final OnnxModel model;
    private final Graph graph;
    private final NDManager weightsManager;
    private final Map<String, NDArray> weights = new LinkedHashMap<>();
    private final GraphRunner<NDArray> plainRunner;
    private boolean training;
    private Set<Node> frozen = Set.of();

    private Executor(OnnxModel model) {
        this.model = model;
        requireSupported(model, OpKernels.standard().keySet());
        this.graph = foldConstants(model.graph());
        this.weightsManager = Engines.newManager();
        try {
            graph.initializers().forEach((name, t) -> weights.put(name, t.toNDArray(weightsManager)));
        } catch (RuntimeException e) {
            weightsManager.close();
            throw e;
        }
        this.plainRunner = runner(new TensorSemantics(OpKernels.standard()));
    }

    public static Executor load(Path file) {
        return of(OnnxReader.read(file));
    }

    public static Executor of(OnnxModel model) {
        return new Executor(model);
    }

    /** Fails, naming every unsupported op with a node that uses it, unless all ops are supported. */
    public static void requireSupported(OnnxModel model, Set<String> supported) {
        Map<String, Node> unsupported = new LinkedHashMap<>();
        for (Node n : model.graph().nodes()) {
            boolean standardDomain = n.domain().isEmpty() || n.domain().equals("ai.onnx");
            if (!standardDomain || (!supported.contains(n.opType()) && !n.opType().equals("Constant"))) {
                unsupported.putIfAbsent((standardDomain ? "" : n.domain() + ".") + n.opType(), n);
            }
        }
        if (!unsupported.isEmpty()) {
            StringBuilder msg = new StringBuilder(model.label()).append(": unsupported op");
            unsupported.forEach((op, n) -> msg.append(" ").append(op).append(" (").append(n.describe()).append(")"));
            msg.append("; supported ops: ").append(String.join(", ", new TreeSet<>(supported)));
            throw new CandorException(msg.toString());
        }
    }

    /** Turns Constant nodes into weights so their values are converted once, not at every run. */
    private static Graph foldConstants(Graph g) {
        Map<String, HostTensor> initializers = new LinkedHashMap<>(g.initializers());
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.opType().equals("Constant")) {
                initializers.put(n.output(0), Constant.value(n));
            } else {
                nodes.add(n);
            }
        }
        return nodes.size() == g.nodes().size() ? g : new Graph(g.inputs(), g.outputs(), nodes, initializers);
    }

    public OnnxModel model() {
        return model;
    }

    /** The graph as executed: Constant nodes are folded into {@link #weights()}. */
    public Graph graph() {
        return graph;
    }

    /** The live weight arrays by initializer name (including folded constants). */
    public Map<String, NDArray> weights() {
        return java.util.Collections.unmodifiableMap(weights);
    }

    public NDArray weight(String name) {
        NDArray w = weights.get(name);
        if (w == null) {
            throw new CandorException("the model has no initializer named '" + name + "'");
        }
        return w;
    }

    /** Training mode: Dropout drops and BatchNormalization uses batch statistics, as in PyTorch. */
    public void setTraining(boolean training) {
        this.training = training;
    }

    /**
     * Freezes everything that does not lie after {@code cut} as a whole: those nodes stay in evaluation
     * mode while training (BatchNormalization uses and keeps its running statistics, Dropout passes
     * everything). {@code null} freezes nothing.
     */
    public void freezeUpTo(String cut) {
        if (cut == null) {
            frozen = Set.of();
            return;
        }
        Set<Node> after = nodesAfter(cut);
        Set<Node> before = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        graph.nodes().stream().filter(n -> !after.contains(n)).forEach(before::add);
        frozen = before;
    }

    public boolean isTraining() {
        return training;
    }

    /** A context for a run whose results live in {@code batch}. */
    public EvalContext context(NDManager batch) {
        return new EvalContext(batch, batch, model.opset(), training, frozen);
    }

    /** A runner over this executor's graph and weights with other value semantics. */
    public <V> GraphRunner<V> runner(Semantics<V> semantics) {
        return new GraphRunner<>(graph, semantics, this::weight);
    }

    /** Computes {@code wanted} tensors from {@code feeds}; results live in {@code batch}. */
    public Map<String, NDArray> run(NDManager batch, Map<String, NDArray> feeds, List<String> wanted) {
        feeds.forEach(this::checkFeed);
        return plainRunner.run(feeds, wanted, context(batch));
    }

    /** The graph's outputs for its inputs, in declaration order. */
    public List<NDArray> forward(NDManager batch, Map<String, NDArray> inputs) {
        List<String> outputs = graph.outputs().stream().map(ValueInfo::name).toList();
        return new ArrayList<>(run(batch, inputs, outputs).values());
    }

    /** The first output of a single-input model. */
    public NDArray forward(NDManager batch, NDArray input) {
        return forward(batch, Map.of(singleInput(), input)).get(0);
    }

    public String singleInput() {
        if (graph.inputs().size() != 1) {
            throw new CandorException(model.label() + " has " + graph.inputs().size() + " inputs "
                    + graph.inputs().stream().map(ValueInfo::name).toList() + "; name the one to use");
        }
        return graph.inputs().get(0).name();
    }

    /**
     * The vector-Jacobian product: the gradient of {@code sum(output * seed)} with respect to each
     * tensor in {@code wrt}, which may name fed tensors, intermediate tensors or weights. Results live
     * in {@code batch}; weights' own gradients are left at zero.
     */
    public Map<String, NDArray> gradients(NDManager batch, Map<String, NDArray> feeds, String output,
            NDArray seed, Collection<String> wrt) {
        Map<String, NDArray> leaves = new LinkedHashMap<>();
        List<String> intermediates = new ArrayList<>();
        for (String name : wrt) {
            graph.requireTensor(name);
            if (feeds.containsKey(name)) {
                leaves.put(name, null);
            } else if (!weights.containsKey(name)) {
                intermediates.add(name);
            }
        }
        Map<String, NDArray> runFeeds = new HashMap<>(feeds);
        if (!intermediates.isEmpty()) {
            runFeeds.putAll(run(batch, feeds, intermediates));
            intermediates.forEach(n -> leaves.put(n, null));
        }
        for (String name : leaves.keySet()) {
            NDArray leaf = runFeeds.get(name).stopGradient();
            leaf.attach(batch);
            leaf.setRequiresGradient(true);
            leaves.put(name, leaf);
            runFeeds.put(name, leaf);
        }
        List<NDArray> trainable = wrt.stream().filter(weights::containsKey).map(weights::get).toList();
        Set<NDArray> wasTrainable = new HashSet<>();
        for (NDArray w : weights.values()) {
            if (w.hasGradient()) {
                wasTrainable.add(w);
            }
        }
        trainable.forEach(w -> w.setRequiresGradient(true));
        Map<String, NDArray> result = new LinkedHashMap<>();
        try (GradientCollector collector = Engines.pytorch().newGradientCollector()) {
            NDArray out = run(batch, runFeeds, List.of(output)).get(output);
            if (!Arrays.equals(out.getShape().getShape(), seed.getShape().getShape())) {
                throw new CandorException("the seed of the gradient has shape " + seed.getShape()
                        + " but '" + output + "' has shape " + out.getShape());
            }
            collector.backward(out.mul(seed).sum());
        }
        for (String name : wrt) {
            NDArray source = leaves.containsKey(name) ? leaves.get(name) : weights.get(name);
            try (NDArray g = source.getGradient()) {
                NDArray copy = g.duplicate();
                copy.attach(batch);
                result.put(name, copy);
                if (weights.containsKey(name)) {
                    g.subi(g);
                }
            }
        }
        for (NDArray w : trainable) {
            if (!wasTrainable.contains(w)) {
                w.setRequiresGradient(false);
            }
        }
        return result;
    }

    /**
     * The floating-point weights read by the nodes that lie after {@code cut} (every node when
     * {@code cut} is null), without BatchNormalization's running statistics: what training changes by
     * gradient when everything up to that tensor stays frozen.
     */
    public List<String> weightsAfter(String cut) {
        Set<String> statistics = runningStatisticsAfter(null);
        return readBy(cut == null ? graph.nodes() : nodesAfter(cut), i -> true).stream()
                .filter(w -> !statistics.contains(w)).toList();
    }

    /**
     * The running means and variances of the BatchNormalization nodes after {@code cut} (all of them
     * when null): state that training updates in place, not by gradient.
     */
    public Set<String> runningStatisticsAfter(String cut) {
        Collection<Node> nodes = (cut == null ? graph.nodes() : nodesAfter(cut)).stream()
                .filter(n -> n.opType().equals("BatchNormalization")).toList();
        return new LinkedHashSet<>(readBy(nodes, i -> i == 3 || i == 4));
    }

    /** Floating weights read by {@code nodes} at input positions that {@code position} accepts. */
    private List<String> readBy(Collection<Node> nodes, java.util.function.IntPredicate position) {
        Set<String> names = new LinkedHashSet<>();
        for (Node n : nodes) {
            for (int i = 0; i < n.inputs().size(); i++) {
                String w = n.inputs().get(i);
                if (position.test(i) && weights.containsKey(w) && weights.get(w).getDataType().isFloating()) {
                    names.add(w);
                }
            }
        }
        return new ArrayList<>(names);
    }

    /** The nodes that depend on {@code cut}, in graph order. */
    private Set<Node> nodesAfter(String cut) {
        graph.requireTensor(cut);
        Set<String> downstream = new HashSet<>(Set.of(cut));
        Set<Node> after = new LinkedHashSet<>();
        for (Node n : graph.nodes()) {
            if (n.inputs().stream().anyMatch(downstream::contains)) {
                downstream.addAll(n.outputs());
                after.add(n);
            }
        }
        return after;
    }

    /** The current values of the model's original initializers, for writing the model back out. */
    public Map<String, HostTensor> initializerValues() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String name : model.graph().initializers().keySet()) {
            out.put(name, HostTensor.of(weights.get(name)));
        }
        return out;
    }

    /** Fails with a clear message when a fed graph input has the wrong type or a wrong fixed dimension. */
    private void checkFeed(String name, NDArray value) {
        if (!graph.isInput(name)) {
            return;
        }
        ValueInfo info = graph.input(name);
        long[] actual = value.getShape().getShape();
        boolean typeOk = info.type() == null || info.type().toDjl() == value.getDataType();
        boolean rankOk = info.dims().isEmpty() || info.dims().size() == actual.length;
        boolean dimsOk = rankOk;
        for (int i = 0; rankOk && i < actual.length; i++) {
            String d = info.dims().get(i);
            if (d.chars().allMatch(Character::isDigit) && Long.parseLong(d) != actual[i]) {
                dimsOk = false;
            }
        }
        if (!typeOk || !dimsOk) {
            throw new CandorException("input '" + name + "' expects " + info.type() + " " + info.dims()
                    + ", got " + value.getDataType() + " " + Arrays.toString(actual));
        }
    }

    /** The manager that owns the weights (package-private: the memory tests count its arrays). */
    NDManager weightsManager() {
        return weightsManager;
    }

    @Override
    public void close() {
        weightsManager.close();
    }
}
