package io.candor.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.data.DatasetSplit;
import java.util.ArrayList;
import java.util.List;

/**
 * What post-hoc FLINT trains on, computed once: for every sample of a split, the tapped hidden tensor
 * and the model's logits (the frozen f), beside the input (the decoder's target) and the label.
 */
public record TapCache(String tap, HostTensor taps, HostTensor logits, HostTensor inputs, long[] labels) {

    /** Runs the frozen model over {@code split} in batches (evaluation mode) and keeps the tap and logits. */
    public static TapCache compute(Executor model, DatasetSplit split, String tap, int batch) {
        String input = model.singleInput();
        String output = model.graph().outputs().get(0).name();
        model.graph().requireTensor(tap);
        if (tap.equals(input) || tap.equals(output)) {
            throw new CandorException("the tap '" + tap + "' must be a hidden tensor, not the model's "
                    + (tap.equals(input) ? "input" : "output"));
        }
        boolean feedsOutput = model.graph().nodesFor(List.of(output), java.util.Set.of(input), new java.util.HashSet<>())
                .stream().anyMatch(n -> n.outputs().contains(tap));
        if (!feedsOutput) {
            throw new CandorException("the tap '" + tap + "' does not lead to the output '" + output
                    + "' (it lies after it or beside it): the attributes must read what the prediction is made from");
        }
        long n = split.size();
        List<float[]> tapParts = new ArrayList<>();
        List<float[]> logitParts = new ArrayList<>();
        long[] tapShape = null;
        long classes = 0;
        boolean training = model.isTraining();
        model.setTraining(false);
        try (NDManager root = Engines.newManager()) {
            NDArray x = split.x().toNDArray(root);
            for (long start = 0; start < n; start += batch) {
                try (NDManager m = root.newSubManager()) {
                    NDArray xs = x.get(start + ":" + Math.min(n, start + batch));
                    var out = model.run(m, java.util.Map.of(input, xs), List.of(tap, output));
                    NDArray t = out.get(tap).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                    if (t.getShape().dimension() < 2 || t.getShape().get(0) != xs.getShape().get(0)) {
                        throw new CandorException("the tap '" + tap + "' has shape " + t.getShape() + " for a batch of "
                                + xs.getShape().get(0) + ": a tap must have the batch as its first axis (an LSTM's Y"
                                + " and Y_h do not; tap the tensor after its Squeeze/Transpose)");
                    }
                    tapShape = t.getShape().getShape();
                    classes = out.get(output).getShape().get(1);
                    tapParts.add(t.toFloatArray());
                    logitParts.add(out.get(output).toFloatArray());
                }
            }
        } finally {
            model.setTraining(training);
        }
        if (tapShape == null) {
            throw new CandorException("the split holds no samples");
        }
        long[] shape = tapShape.clone();
        shape[0] = n;
        return new TapCache(tap, HostTensor.ofFloats(shape, concat(tapParts)),
                HostTensor.ofFloats(new long[] {n, classes}, concat(logitParts)), split.x(), split.labels());
    }

    /** The tap's shape without the batch axis. */
    public long[] sampleShape() {
        long[] s = taps.shape();
        return java.util.Arrays.copyOfRange(s, 1, s.length);
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
