package io.candor.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.data.Concepts;
import io.candor.models.data.DatasetSplit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What post-hoc FLINT trains on, computed once: for every sample of a split, the tapped hidden tensors
 * (in the order given) and the model's logits (the frozen f), beside the decoder's target in
 * {@code inputs} (the input, or for token ids their mean embedding),
 * the label and, if any, the concept labels with which rows carry them ({@code labelled}, null when all
 * do; a cache joined from a split without concept labels has rows that do not).
 */
public record TapCache(Map<String, HostTensor> taps, HostTensor logits, HostTensor inputs, long[] labels, Concepts concepts,
        boolean[] labelled) {

    public TapCache {
        taps = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(taps));
        if (concepts != null && concepts.size() != labels.length) {
            throw new CandorException("the concept labels have " + concepts.size() + " rows but the data has " + labels.length
                    + " samples");
        }
        if (labelled != null && labelled.length != labels.length) {
            throw new IllegalArgumentException("labelled has " + labelled.length + " rows for " + labels.length);
        }
    }

    /** Runs the frozen model over {@code split} in batches (evaluation mode) and keeps the taps and logits. */
    public static TapCache compute(Executor model, DatasetSplit split, List<String> taps, int batch) {
        String input = model.singleInput();
        String output = model.graph().outputs().get(0).name();
        if (taps.isEmpty() || new HashSet<>(taps).size() != taps.size()) {
            throw new CandorException("give one or more distinct taps, got " + taps);
        }
        Set<String> feeding = new HashSet<>();
        model.graph().nodesFor(List.of(output), Set.of(input), new HashSet<>()).forEach(n -> feeding.addAll(n.outputs()));
        for (String tap : taps) {
            model.graph().requireTensor(tap);
            if (tap.equals(input) || tap.equals(output)) {
                throw new CandorException("the tap '" + tap + "' must be a hidden tensor, not the model's "
                        + (tap.equals(input) ? "input" : "output"));
            }
            if (!feeding.contains(LstmTaps.sourceOf(tap))) {
                throw new CandorException("the tap '" + tap + "' does not lead to the output '" + output
                        + "' (it lies after it or beside it): the attributes must read what the prediction is made from");
            }
        }
        long n = split.size();
        Map<String, List<float[]>> parts = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        List<float[]> logitParts = new ArrayList<>();
        long classes = 0;
        List<String> wanted = new ArrayList<>(taps);
        wanted.add(output);
        boolean training = model.isTraining();
        model.setTraining(false);
        try (NDManager root = Engines.newManager()) {
            NDArray x = split.x().toNDArray(root);
            for (long start = 0; start < n; start += batch) {
                try (NDManager m = root.newSubManager()) {
                    NDArray xs = x.get(start + ":" + Math.min(n, start + batch));
                    Map<String, NDArray> out = model.run(m, Map.of(input, xs), wanted);
                    for (String tap : taps) {
                        NDArray t = out.get(tap).toType(DataType.FLOAT32, false);
                        if (t.getShape().dimension() < 2 || t.getShape().get(0) != xs.getShape().get(0)) {
                            throw new CandorException("the tap '" + tap + "' has shape " + t.getShape() + " for a batch of "
                                    + xs.getShape().get(0) + ": a tap must have the batch as its first axis (tap an LSTM's"
                                    + " Y or Y_h itself, which candor interpret reads at the last step, batch first)");
                        }
                        shapes.put(tap, t.getShape().getShape());
                        parts.computeIfAbsent(tap, k -> new ArrayList<>()).add(t.toFloatArray());
                    }
                    classes = out.get(output).getShape().get(1);
                    logitParts.add(out.get(output).toFloatArray());
                }
            }
        } finally {
            model.setTraining(training);
        }
        if (n == 0) {
            throw new CandorException("the split holds no samples");
        }
        Map<String, HostTensor> cached = new LinkedHashMap<>();
        for (String tap : taps) {
            long[] shape = shapes.get(tap).clone();
            shape[0] = n;
            cached.put(tap, HostTensor.ofFloats(shape, concat(parts.get(tap))));
        }
        return new TapCache(cached, HostTensor.ofFloats(new long[] {n, classes}, concat(logitParts)), target(model, split),
                split.labels(), split.concepts(), null);
    }

    /**
     * What the decoder reconstructs: the input, or for token ids their mean embedding where the model
     * has an embedding table (see {@link MeanEmbedding}); ids otherwise, which the trainer leaves alone.
     */
    static HostTensor target(Executor model, DatasetSplit split) {
        if (split.x().type().isFloating()) {
            return split.x();
        }
        HostTensor table = MeanEmbedding.table(model.graph(), model.singleInput());
        return table == null ? split.x() : MeanEmbedding.of(split.x(), table);
    }

    /** The same cache with other concept labels (or none), carried by every row. */
    public TapCache withConcepts(Concepts labels) {
        return new TapCache(taps, logits, inputs, this.labels, labels, null);
    }

    /**
     * This cache's rows followed by {@code other}'s (the same taps), such as the training split and a
     * split made to teach concepts. Concept labels come from the side that has them; the other side's
     * rows are unlabelled. If both have them, their names must agree.
     */
    public TapCache join(TapCache other) {
        if (!taps.keySet().equals(other.taps.keySet())) {
            throw new IllegalArgumentException("joined caches need the same taps: " + taps.keySet() + " and " + other.taps.keySet());
        }
        Map<String, HostTensor> joined = new LinkedHashMap<>();
        taps.forEach((name, t) -> joined.put(name, HostTensor.concatRows(t, other.taps.get(name))));
        long[] y = java.util.stream.LongStream.concat(Arrays.stream(labels), Arrays.stream(other.labels)).toArray();
        Concepts names = concepts != null ? concepts : other.concepts;
        if (concepts != null && other.concepts != null && !concepts.names().equals(other.concepts.names())) {
            throw new CandorException("cannot join concept labels " + concepts.names() + " and " + other.concepts.names());
        }
        Concepts both = null;
        boolean[] rows = null;
        if (names != null) {
            both = new Concepts(names.names(), names.descriptions(), HostTensor.concatRows(labelsOrZeros(names), other.labelsOrZeros(names)));
            rows = new boolean[y.length];
            for (int i = 0; i < y.length; i++) {
                rows[i] = i < size() ? isLabelled(i) : other.isLabelled(i - size());
            }
        }
        return new TapCache(joined, HostTensor.concatRows(logits, other.logits), HostTensor.concatRows(inputs, other.inputs), y,
                both, rows);
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive), with their concept labels. */
    public TapCache rows(int from, int to) {
        int[] rows = java.util.stream.IntStream.range(from, to).toArray();
        Map<String, HostTensor> part = new LinkedHashMap<>();
        taps.forEach((name, t) -> part.put(name, t.rows(rows)));
        Concepts labelsPart = concepts == null ? null
                : new Concepts(concepts.names(), concepts.descriptions(), concepts.labels().rows(rows));
        return new TapCache(part, logits == null ? null : logits.rows(rows),
                inputs.rows(rows), Arrays.copyOfRange(labels, from, to), labelsPart,
                labelled == null ? null : Arrays.copyOfRange(labelled, from, to));
    }

    /** Whether row {@code i} carries concept labels. */
    public boolean isLabelled(int i) {
        return concepts != null && (labelled == null || labelled[i]);
    }

    private HostTensor labelsOrZeros(Concepts like) {
        return concepts != null ? concepts.labels()
                : HostTensor.zeros(io.candor.interop.tensor.DataType.FLOAT32, new long[] {size(), like.names().size()});
    }

    /** Each tap's shape without the batch axis, in order. */
    public Map<String, long[]> sampleShapes() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        taps.forEach((name, t) -> shapes.put(name, Arrays.copyOfRange(t.shape(), 1, t.shape().length)));
        return shapes;
    }

    public int size() {
        return labels.length;
    }

    private static float[] concat(List<float[]> parts) {
        int total = parts.stream().mapToInt(p -> p.length).sum();
        float[] all = new float[total];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
