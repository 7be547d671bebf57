package io.candor.interpreter;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.arch.Layers;
import java.util.Arrays;

/**
 * FLINT's interpreter as one ONNX graph, built from the shape of the tapped hidden tensor: the
 * attribute network Psi, the linear head h and the decoder d (Parekh et al. 2021, {@code networks.py}).
 * Inputs: the tap (named as in the model). Outputs: {@code attributes} [N, J] (Phi),
 * {@code interpreter_logits} [N, C] (g = h(Phi)) and {@code reconstruction} (d(Phi), the model input's
 * shape). The executor trains it, OnnxWriter exports it, and the same graph merges into the model.
 *
 * <ul>
 *   <li>A convolutional tap [C, H, W] gets FLINT's {@code attr_MNIST}: Conv(C->64, 3, pad 1), LeakyReLU,
 *       adaptive average pooling to 3 x 3, FC 576 -> J, LeakyReLU. The pooling is PyTorch's
 *       AdaptiveAvgPool2d(3) written as a MatMul with a constant [H W, 9] averaging matrix, so it is exact
 *       for any H and W (3 need not divide them) with ops every runtime has.
 *   <li>A vector tap [D] gets an MLP: FC D -> 64, ReLU, FC 64 -> J, LeakyReLU.
 *   <li>h: FC J -> C (FLINT's Dropout(0.01) before it is left out: it barely changes the head and would
 *       make the exported interpreter differ between training and use).
 *   <li>d, for an image input [c, H, W] with H and W divisible by 4: FLINT's {@code decode_MNIST}, FC J ->
 *       2 (H/4)(W/4), reshape, ConvTranspose(2->8, 3, stride 2, pad 1, output_padding 1), ReLU,
 *       ConvTranspose(8->c, same) with no final ReLU, since Candor's inputs are standardised and may be
 *       negative. Any other input shape: FC J -> its size, reshaped.
 * </ul>
 */
public final class InterpreterGraph {
    public static final String ATTRIBUTES = "attributes";
    public static final String LOGITS = "interpreter_logits";
    public static final String RECONSTRUCTION = "reconstruction";
    /** The graph's outputs, which a merged model adds to its own. */
    public static final java.util.List<String> OUTPUTS = java.util.List.of(ATTRIBUTES, LOGITS, RECONSTRUCTION);
    static final int POOLED = 3;
    /** Initializers that are part of the architecture, not weights: the pooling matrix. */
    private static final String FIXED = ".matrix";

    private InterpreterGraph() {
    }

    /**
     * @param tap the tapped tensor's name in the model
     * @param tapShape its shape without the batch axis
     * @param inputShape the model input's shape without the batch axis (what d reconstructs)
     */
    public static ModelProto build(String tap, long[] tapShape, int attributes, int classes, long[] inputShape, long seed) {
        if (attributes < 1) {
            throw new CandorException("the number of attributes must be at least 1, got " + attributes);
        }
        GraphBuilder g = new GraphBuilder("flint-interpreter", 13);
        Layers l = new Layers(g, seed);
        long[] dims = new long[tapShape.length + 1];
        dims[0] = -1;
        System.arraycopy(tapShape, 0, dims, 1, tapShape.length);
        String x = g.input(tap, DataType.FLOAT32, dims);
        String phi = switch (tapShape.length) {
            case 3 -> convolutional(l, x, tapShape, attributes);
            case 1 -> vector(l, x, (int) tapShape[0], attributes);
            default -> throw new CandorException("a tap of shape " + Arrays.toString(tapShape)
                    + " is neither a feature map [C, H, W] nor a vector [D]");
        };
        g.node("Identity", ATTRIBUTES, new String[] {phi});
        g.node("Identity", LOGITS, new String[] {l.linear("h", ATTRIBUTES, attributes, classes)});
        g.node("Identity", RECONSTRUCTION, new String[] {decoder(l, ATTRIBUTES, attributes, inputShape)});
        g.output(ATTRIBUTES, DataType.FLOAT32, -1, attributes);
        g.output(LOGITS, DataType.FLOAT32, -1, classes);
        long[] out = new long[inputShape.length + 1];
        out[0] = -1;
        System.arraycopy(inputShape, 0, out, 1, inputShape.length);
        g.output(RECONSTRUCTION, DataType.FLOAT32, out);
        return g.build();
    }

    /** Whether training changes the initializer {@code name} (the pooling matrix stays as built). */
    public static boolean trains(String name) {
        return !name.endsWith(FIXED);
    }

    private static String convolutional(Layers l, String x, long[] shape, int attributes) {
        int channels = (int) shape[0];
        long h = shape[1];
        long w = shape[2];
        String a = l.leakyRelu("psi.act1", l.conv("psi.conv", x, channels, 64, 3, 1));
        String flat = l.reshape("psi.maps", a, 0, 64, h * w);
        String pooling = l.graph().initializer("psi.pool" + FIXED, adaptiveAveraging(h, w));
        String pooled = l.graph().node("MatMul", "psi.pool", new String[] {flat, pooling});
        String features = l.reshape("psi.flat", pooled, 0, 64L * POOLED * POOLED);
        return l.leakyRelu("psi.act2", l.linear("psi.fc", features, 64 * POOLED * POOLED, attributes));
    }

    private static String vector(Layers l, String x, int size, int attributes) {
        String hidden = l.relu("psi.act1", l.linear("psi.fc1", x, size, 64));
        return l.leakyRelu("psi.act2", l.linear("psi.fc2", hidden, 64, attributes));
    }

    private static String decoder(Layers l, String phi, int attributes, long[] input) {
        if (input.length == 3 && input[1] % 4 == 0 && input[2] % 4 == 0) {
            long h = input[1] / 4;
            long w = input[2] / 4;
            String seed = l.reshape("d.maps", l.linear("d.fc", phi, attributes, (int) (2 * h * w)), -1, 2, h, w);
            String up = l.relu("d.act1", l.convTranspose("d.up1", seed, 2, 8, 3, 2, 1, 1));
            return l.convTranspose("d.up2", up, 8, (int) input[0], 3, 2, 1, 1);
        }
        long size = HostTensor.elementCount(input);
        long[] shape = new long[input.length + 1];
        shape[0] = -1;
        System.arraycopy(input, 0, shape, 1, input.length);
        return l.reshape("d.shape", l.linear("d.fc", phi, attributes, Math.toIntExact(size)), shape);
    }

    /**
     * [H W, 9]: column (i, j) averages the window rows floor(i H / 3) to ceil((i + 1) H / 3) - 1 and the
     * same for columns, as PyTorch's AdaptiveAvgPool2d(3) does.
     */
    static HostTensor adaptiveAveraging(long h, long w) {
        float[] m = new float[(int) (h * w * POOLED * POOLED)];
        for (int i = 0; i < POOLED; i++) {
            long r0 = i * h / POOLED;
            long r1 = ((i + 1) * h + POOLED - 1) / POOLED;
            for (int j = 0; j < POOLED; j++) {
                long c0 = j * w / POOLED;
                long c1 = ((j + 1) * w + POOLED - 1) / POOLED;
                float share = 1f / ((r1 - r0) * (c1 - c0));
                for (long r = r0; r < r1; r++) {
                    for (long c = c0; c < c1; c++) {
                        m[(int) ((r * w + c) * POOLED * POOLED + i * POOLED + j)] = share;
                    }
                }
            }
        }
        return HostTensor.ofFloats(new long[] {h * w, POOLED * POOLED}, m);
    }
}
