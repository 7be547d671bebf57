package io.candor.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.attribution.ExecutorModel;
import io.candor.attribution.methods.Saliency;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.tensor.HostTensor;
import java.util.Arrays;
import java.util.Map;

/**
 * FLINT's input attribution of an attribute: the gradient dPhi_j/dx of the merged model's
 * {@code attributes} output with respect to its input, per sample. It is the saliency of Phi_j, so
 * it runs through the attribution module's {@link Saliency} on an {@link ExecutorModel} whose output
 * is {@code attributes}, not through a gradient of its own.
 */
public final class AttributeAttribution {
    /** Samples per backward pass for small inputs (see {@link #batchSize}). */
    private static final int BATCH = 64;

    private final ExecutorModel model;

    /**
     * @param merged the model with the interpreter merged in ({@code model_interpreted.onnx})
     * @param input the input to attribute to
     * @param attributes the output that holds Phi, [N, J]
     */
    public AttributeAttribution(Executor merged, String input, String attributes) {
        this.model = new ExecutorModel(merged, input, attributes, Map.of());
    }

    /** The merged model's single input and its {@value InterpreterGraph#ATTRIBUTES} output. */
    public static AttributeAttribution of(Executor merged) {
        return new AttributeAttribution(merged, merged.singleInput(), InterpreterGraph.ATTRIBUTES);
    }

    public Executor executor() {
        return model.executor();
    }

    public String input() {
        return model.input();
    }

    public String attributesOutput() {
        return model.output();
    }

    /** dPhi_j/dx for the same attribute j for every sample; the inputs' shape. */
    public HostTensor inputGradient(HostTensor inputs, int attribute) {
        int[] all = new int[(int) inputs.shape()[0]];
        Arrays.fill(all, attribute);
        return inputGradient(inputs, all);
    }

    /**
     * dPhi_{attributes[n]}/dx for each sample n, in the inputs' shape (float). Token inputs have no
     * gradient with respect to their ids, so they are refused.
     */
    public HostTensor inputGradient(HostTensor inputs, int[] attributes) {
        if (!inputs.type().isFloating()) {
            throw new CandorException("an attribute's input attribution needs float inputs; " + inputs.type()
                    + " token ids have no gradient");
        }
        long[] shape = inputs.shape();
        if (shape.length == 0 || shape[0] != attributes.length) {
            throw new CandorException("one attribute per sample: " + attributes.length + " attributes for inputs "
                    + Arrays.toString(shape));
        }
        int n = attributes.length;
        int perSample = n == 0 ? 0 : Math.toIntExact(inputs.size() / n);
        float[] all = inputs.toFloatArray();
        float[] out = new float[all.length];
        Executor merged = model.executor();
        boolean wasTraining = merged.isTraining();
        merged.setTraining(false); // Dropout would make the gradient random
        try (NDManager root = Engines.newManager()) {
            int batch = batchSize(perSample, BATCH);
            for (int start = 0; start < n; start += batch) {
                int rows = Math.min(batch, n - start);
                try (NDManager m = root.newSubManager()) {
                    long[] batchShape = shape.clone();
                    batchShape[0] = rows;
                    NDArray x = HostTensor.ofFloats(batchShape,
                            Arrays.copyOfRange(all, start * perSample, (start + rows) * perSample)).toNDArray(m);
                    long[] targets = new long[rows];
                    long j = model.classes(m, x);
                    for (int i = 0; i < rows; i++) {
                        int a = attributes[start + i];
                        if (a < 0 || a >= j) {
                            throw new CandorException("attribute " + a + " asked of a dictionary of " + j);
                        }
                        targets[i] = a;
                    }
                    float[] grad = new Saliency(false).attribute(model, m, x, targets).toFloatArray();
                    System.arraycopy(grad, 0, out, start * perSample, grad.length);
                }
            }
        } finally {
            merged.setTraining(wasTraining);
        }
        return HostTensor.ofFloats(shape, out);
    }

    /**
     * Per sample, the share of sum |attribution| that falls where the mask is 1 (mask values weight the
     * cells, so a soft mask gives a weighted share). The mask broadcasts against the attribution as
     * NumPy does, aligned on the last axes: [1, 28, 28] or [28, 28] for every sample, [N, 1, 28, 28] per
     * sample (across channels). A sample whose attribution is all zero gets share 0, not 0/0 = NaN: none
     * of its attribution lies in the region, and one NaN would poison every mean taken over samples.
     */
    public static float[] maskShare(HostTensor attribution, HostTensor mask) {
        long[] a = attribution.shape();
        long[] m = mask.shape();
        if (a.length == 0 || m.length > a.length) {
            throw new CandorException("a mask of shape " + Arrays.toString(m) + " does not fit attributions of shape "
                    + Arrays.toString(a));
        }
        // Stride of each attribution axis in the mask (0 where the mask broadcasts).
        long[] maskStride = new long[a.length];
        long stride = 1;
        for (int k = 1; k <= a.length; k++) {
            int axis = a.length - k;
            int maskAxis = m.length - k;
            long dim = maskAxis >= 0 ? m[maskAxis] : 1;
            if (dim != a[axis] && dim != 1) {
                throw new CandorException("a mask of shape " + Arrays.toString(m)
                        + " does not broadcast to attributions of shape " + Arrays.toString(a));
            }
            maskStride[axis] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
        attribution.requireFinite("the attribution");
        float[] values = attribution.toFloatArray();
        float[] weights = mask.toFloatArray();
        int n = (int) a[0];
        int perSample = n == 0 ? 0 : values.length / n;
        float[] share = new float[n];
        for (int s = 0; s < n; s++) {
            double total = 0;
            double inside = 0;
            for (int i = s * perSample; i < (s + 1) * perSample; i++) {
                long at = maskIndex(i, a, maskStride);
                double v = Math.abs(values[i]);
                total += v;
                inside += v * weights[(int) at];
            }
            share[s] = total == 0 ? 0f : (float) (inside / total);
        }
        return share;
    }

    /** The mask's flat index for the attribution's flat index {@code flat}. */
    private static long maskIndex(int flat, long[] shape, long[] maskStride) {
        long at = 0;
        long rest = flat;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            at += rest % shape[axis] * maskStride[axis];
            rest /= shape[axis];
        }
        return at;
    }

    /**
     * Samples per backward pass: up to {@code cap}, fewer for large inputs, so that the activations
     * autograd keeps for one pass stay bounded: at most about a million input values a pass (6 images
     * of 224 x 224 x 3; small images are limited by the cap).
     */
    static int batchSize(long valuesPerSample, int cap) {
        return (int) Math.max(1, Math.min(cap, (1L << 20) / Math.max(1, valuesPerSample)));
    }
}
