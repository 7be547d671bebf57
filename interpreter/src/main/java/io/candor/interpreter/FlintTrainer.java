package io.candor.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.candor.finetune.Optimizer;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.tensor.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Post-hoc FLINT: trains the interpreter graph (every weight of it) on a {@link TapCache}, the model
 * itself frozen, with the scheduled sum of output fidelity, input fidelity, conciseness-diversity and
 * sparsity; one backward pass and one optimizer step per batch.
 */
public final class FlintTrainer implements AutoCloseable {
    private final Executor interpreter;
    private final LossSchedule schedule;
    private final Optimizer optimizer;
    private final int batch;
    private final List<String> weights;
    /** Joint mode: the model's logits in the graph, trained with the cross-entropy too; null post hoc. */
    private final String prediction;

    /** Post hoc: {@code interpreter} is the interpreter graph alone, fed the cached taps. */
    public FlintTrainer(Executor interpreter, LossSchedule schedule, Optimizer optimizer, int batch) {
        this(interpreter, schedule, optimizer, batch, null);
    }

    /**
     * @param graph the interpreter alone (post hoc), or the model with the interpreter merged in (joint:
     *     FLINT by design), fed the inputs named in the cache and trained as a whole
     * @param prediction joint mode: the name of the model's logits, which get the cross-entropy against
     *     the labels (weight 1, FLINT's lambda_acc) and stand in for the cached f in output fidelity; null
     *     post hoc
     */
    public FlintTrainer(Executor graph, LossSchedule schedule, Optimizer optimizer, int batch, String prediction) {
        this.interpreter = graph;
        this.schedule = schedule;
        this.optimizer = optimizer;
        this.batch = batch;
        this.prediction = prediction;
        this.weights = new ArrayList<>(graph.weights().keySet().stream()
                .filter(name -> graph.weight(name).getDataType().isFloating() && InterpreterGraph.trains(name))
                .sorted().toList());
    }

    /** The epoch's mean of each loss term (weighted or not, they are reported unweighted) and of the total. */
    public Map<String, Double> epoch(TapCache data, int epoch, Random random) {
        int n = data.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        Map<String, Double> sums = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        weights.forEach(w -> interpreter.weight(w).setRequiresGradient(true));
        interpreter.setTraining(true);
        try (NDManager root = Engines.newManager()) {
            Map<String, NDArray> taps = new LinkedHashMap<>();
            data.taps().forEach((name, t) -> taps.put(name, t.toNDArray(root)));
            NDArray logits = prediction == null ? data.logits().toNDArray(root) : null;
            NDArray labels = prediction == null ? null : root.create(data.labels());
            NDArray inputs = data.inputs().toNDArray(root);
            boolean reconstructs = inputs.getDataType().isFloating();
            NDArray concepts = bindsConcepts() ? conceptLabels(root, data) : null;
            NDArray labelled = concepts == null || data.labelled() == null ? null : rowWeights(root, data);
            for (int start = 0; start < n; start += batch) {
                try (NDManager m = root.newSubManager()) {
                    long[] rows = new long[Math.min(batch, n - start)];
                    for (int i = 0; i < rows.length; i++) {
                        rows[i] = order[start + i];
                    }
                    NDArray index = m.create(rows);
                    Map<String, NDArray> tapRows = new LinkedHashMap<>();
                    taps.forEach((name, t) -> tapRows.put(name, rowsOf(m, t, index)));
                    // The concept term is left out of a batch where no row carries concept labels.
                    boolean binds = concepts != null
                            && java.util.Arrays.stream(rows).anyMatch(r -> data.isLabelled((int) r));
                    Map<String, NDArray> terms = step(m, tapRows, prediction == null ? rowsOf(m, logits, index) : rowsOf(m, labels, index),
                            reconstructs ? rowsOf(m, inputs, index) : null, binds ? rowsOf(m, concepts, index) : null,
                            binds && labelled != null ? rowsOf(m, labelled, index) : null, epoch);
                    terms.forEach((k, v) -> {
                        sums.merge(k, (double) v.getFloat(), Double::sum);
                        counts.merge(k, 1, Integer::sum);
                    });
                }
            }
        } finally {
            interpreter.setTraining(false);
            weights.forEach(w -> interpreter.weight(w).setRequiresGradient(false));
        }
        Map<String, Double> means = new LinkedHashMap<>();
        for (var e : sums.entrySet()) {
            means.put(e.getKey(), e.getValue() / counts.get(e.getKey()));
        }
        return means;
    }

    /** The rows {@code index} of {@code a}, owned by the batch's manager (DJL would give them to a's). */
    private static NDArray rowsOf(NDManager batch, NDArray a, NDArray index) {
        NDArray rows = a.get(index);
        rows.attach(batch);
        return rows;
    }

    /** Whether the interpreter has concept probes (then the data must carry their labels). */
    private boolean bindsConcepts() {
        return interpreter.graph().hasTensor(InterpreterGraph.CONCEPT_LOGITS);
    }

    /** The first K concept columns, K the interpreter's bound concepts. */
    private NDArray conceptLabels(NDManager m, TapCache data) {
        long bound = InterpreterGraph.boundConcepts(interpreter);
        if (data.concepts() == null || data.concepts().names().size() < bound) {
            throw new CandorException("the interpreter binds " + bound + " concepts but the data carries "
                    + (data.concepts() == null ? "no concept labels" : data.concepts().names().size()));
        }
        return data.concepts().labels().toNDArray(m).get(":, 0:" + bound);
    }

    /** 1 for the rows that carry concept labels, 0 for the others. */
    private static NDArray rowWeights(NDManager m, TapCache data) {
        float[] w = new float[data.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = data.isLabelled(i) ? 1 : 0;
        }
        return m.create(w);
    }

    /**
     * One optimizer step; returns each term and the total, detached. {@code concepts} null leaves the
     * concept term out; {@code labelled} null means every row carries concept labels. {@code fOrLabels}
     * is f's cached logits post hoc, the labels in joint mode.
     */
    private Map<String, NDArray> step(NDManager m, Map<String, NDArray> taps, NDArray fOrLabels, NDArray inputs, NDArray concepts,
            NDArray labelled, int epoch) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (GradientCollector collector = Engines.pytorch().newGradientCollector()) {
            List<String> wanted = new ArrayList<>(List.of(InterpreterGraph.ATTRIBUTES, InterpreterGraph.LOGITS,
                    InterpreterGraph.RECONSTRUCTION));
            if (concepts != null) {
                wanted.add(InterpreterGraph.CONCEPT_LOGITS);
            }
            if (prediction != null) {
                wanted.add(prediction);
            }
            Map<String, NDArray> y = interpreter.run(m, taps, wanted);
            NDArray phi = y.get(InterpreterGraph.ATTRIBUTES);
            Map<String, NDArray> terms = new LinkedHashMap<>();
            NDArray fLogits = fOrLabels;
            if (prediction != null) {
                fLogits = y.get(prediction);
                terms.put("ce", new io.candor.finetune.CrossEntropy(null).loss(fLogits, fOrLabels));
            }
            terms.put("of", FlintLosses.outputFidelity(fLogits, y.get(InterpreterGraph.LOGITS)));
            if (inputs != null) {
                terms.put("if", FlintLosses.inputFidelity(y.get(InterpreterGraph.RECONSTRUCTION), inputs));
            }
            terms.put("cd", FlintLosses.concisenessDiversity(phi));
            terms.put("l1", FlintLosses.sparsity(phi));
            if (concepts != null) {
                NDArray z = y.get(InterpreterGraph.CONCEPT_LOGITS);
                terms.put("co", labelled == null ? FlintLosses.conceptBinding(z, concepts)
                        : FlintLosses.conceptBinding(z, concepts, labelled));
            }
            NDArray total = null;
            for (var e : terms.entrySet()) {
                float w = e.getKey().equals("ce") ? 1f : schedule.weight(e.getKey(), epoch);
                out.put(e.getKey(), e.getValue().stopGradient());
                if (w != 0) {
                    NDArray weighted = Tensors.times(e.getValue(), w);
                    total = total == null ? weighted : total.add(weighted);
                }
            }
            if (total == null) {
                throw new CandorException("every loss weight is zero in epoch " + epoch + ": nothing to train");
            }
            float value = total.getFloat();
            if (!Float.isFinite(value)) {
                throw new CandorException("the interpreter's loss became " + value + " in epoch " + epoch
                        + "; lower the learning rate");
            }
            out.put("total", total.stopGradient());
            collector.backward(total);
        }
        try (NDManager scratch = Engines.newManager()) {
            for (String name : weights) {
                NDArray weight = interpreter.weight(name);
                try (NDArray grad = weight.getGradient()) {
                    optimizer.update(scratch, name, weight, grad);
                }
                ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) weight);
            }
        }
        return out;
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
