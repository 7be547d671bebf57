package io.candor.interpreter;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.candor.finetune.Optimizer;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.onnx.OnnxWriter;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.data.DatasetSplit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * FLINT by design: the model and its interpreter trained together, as {@code flint.py} does, with the
 * cross-entropy of the model's prediction added to the interpreter's losses. The interpreter is merged
 * into the model (the same graph {@code candor interpret} writes as {@code model_interpreted.onnx}),
 * and every weight of both trains; output fidelity holds the model's live logits constant.
 */
public final class JointTraining implements AutoCloseable {
    private final OnnxModel model;
    private final OnnxModel interpreter;
    private final OnnxModel merged;
    private final List<String> taps;
    private final Executor executor;
    private final FlintTrainer trainer;

    private JointTraining(OnnxModel model, LstmTaps.Adapted tapped, OnnxModel interpreter, LossSchedule schedule,
            Optimizer optimizer, int batch) {
        this.model = model;
        this.interpreter = interpreter;
        this.taps = List.copyOf(tapped.taps());
        this.merged = InterpreterGraft.attached(tapped.model(), interpreter);
        this.executor = Executor.of(merged);
        this.trainer = new FlintTrainer(executor, schedule, optimizer, batch, model.graph().outputs().get(0).name());
    }

    /**
     * Builds the interpreter from the taps' shapes (one forward pass of the model over {@code sample}'s
     * first rows) and merges it into the model.
     */
    public static JointTraining of(OnnxModel model, DatasetSplit sample, List<String> taps, int attributes, LossSchedule schedule,
            Optimizer optimizer, int batch, long seed) {
        for (String name : InterpreterGraph.OUTPUTS) {
            if (model.graph().hasTensor(name)) {
                throw new CandorException("the model already has a tensor named '" + name + "': train the original model");
            }
        }
        LstmTaps.Adapted tapped = LstmTaps.adapt(model, taps);
        TapCache shapes;
        try (Executor f = Executor.of(tapped.model())) {
            shapes = TapCache.compute(f, head(sample, 2), tapped.taps(), 2);
        }
        long[] xs = sample.x().shape();
        ModelProto graph = InterpreterGraph.build(shapes.sampleShapes(), attributes, 0, (int) shapes.logits().shape()[1],
                Arrays.copyOfRange(xs, 1, xs.length), seed);
        return new JointTraining(model, tapped, OnnxReader.fromProto(graph, null), schedule, optimizer, batch);
    }

    /** One epoch over {@code train}; each term's mean, "ce" the model's cross-entropy. */
    public Map<String, Double> epoch(DatasetSplit train, int epoch, Random random) {
        String input = model.graph().inputs().get(0).name();
        TapCache feed = new TapCache(Map.of(input, train.x()), null, train.x(), train.labels(), null, null);
        return trainer.epoch(feed, epoch, random);
    }

    /** The model alone with its trained weights: its own graph, nothing of the interpreter. */
    public OnnxModel trainedModel() {
        return OnnxReader.fromProto(OnnxWriter.withInitializers(model, part(false)), null);
    }

    /** The interpreter alone with its trained weights; its inputs are the taps. */
    public OnnxModel trainedInterpreter() {
        return OnnxReader.fromProto(OnnxWriter.withInitializers(interpreter, part(true)), null);
    }

    /** The model with the interpreter merged in, trained. */
    public ModelProto trainedMerged() {
        return OnnxWriter.withInitializers(merged, executor.initializerValues());
    }

    /** The taps as the interpreter reads them (an LSTM's output at its last step: see {@link LstmTaps}). */
    public List<String> taps() {
        return taps;
    }

    /**
     * The trained values of the interpreter's initializers (without the prefix) or of the model's (not
     * the constants of the nodes an LSTM tap added, which are the model's only in the merged graph).
     */
    private Map<String, HostTensor> part(boolean ofInterpreter) {
        Map<String, HostTensor> values = new LinkedHashMap<>();
        executor.initializerValues().forEach((name, value) -> {
            if (ofInterpreter && name.startsWith(InterpreterGraft.PREFIX)) {
                values.put(name.substring(InterpreterGraft.PREFIX.length()), value);
            } else if (!ofInterpreter && model.graph().initializers().containsKey(name)) {
                values.put(name, value);
            }
        });
        return values;
    }

    private static DatasetSplit head(DatasetSplit split, int n) {
        int[] rows = java.util.stream.IntStream.range(0, (int) Math.min(n, split.size())).toArray();
        return new DatasetSplit(split.x().rows(rows),
                HostTensor.ofLongs(new long[] {rows.length}, Arrays.copyOf(split.labels(), rows.length)), null);
    }

    @Override
    public void close() {
        trainer.close();
        executor.close();
    }
}
