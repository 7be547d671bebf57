package io.candor.interpreter;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.arch.Layers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * FLINT's interpreter as one ONNX graph, built from the shapes of the tapped hidden tensors: the
 * attribute network Psi, the linear head h and the decoder d (Parekh et al. 2021, {@code networks.py}).
 * Inputs: the taps (named as in the model). Outputs: {@code attributes} [N, J] (Phi),
 * {@code interpreter_logits} [N, C] (g = h(Phi)), {@code reconstruction} (d(Phi), the model input's
 * shape) and, when concepts are bound, {@code concept_logits} [N, K]. The executor trains it,
 * OnnxWriter exports it, and the same graph merges into the model.
 *
 * <ul>
 *   <li>A convolutional tap [C, H, W] gets FLINT's {@code attr_MNIST}: Conv(C->64, 3, pad 1), LeakyReLU,
 *       adaptive average pooling to 3 x 3 (a map of at most 6 x 6 keeps its size), FC 576 -> J, LeakyReLU. The pooling is PyTorch's
 *       AdaptiveAvgPool2d(3) written as a MatMul with a constant [H W, 9] averaging matrix, so it is exact
 *       for any H and W (3 need not divide them) with ops every runtime has.
 *   <li>Several convolutional taps: FLINT's {@code attr_RN18_multi}, each its own Conv and LeakyReLU,
 *       averaged to the smallest tap's size, concatenated, mixed by a Conv3x3, then pooled as above.
 *   <li>Vector taps [D] (concatenated if several) get an MLP: FC D -> 64, ReLU, FC 64 -> J, LeakyReLU;
 *       beside feature maps, the MLP's 64 outputs join the 576 pooled features before the last FC.
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
    /** The logistic outputs of the bound concepts, [N, K], when concepts are bound. */
    public static final String CONCEPT_LOGITS = "concept_logits";
    /** The graph's outputs, which a merged model adds to its own (the last only with concepts). */
    public static final List<String> OUTPUTS = List.of(ATTRIBUTES, LOGITS, RECONSTRUCTION, CONCEPT_LOGITS);
    static final int POOLED = 3;
    private static final int CHANNELS = 64;
    /** Maps no larger than this on a side keep every position (see {@link #pooledSide}). */
    private static final long SMALL = 2 * POOLED;
    private static final int HIDDEN = 64;
    /** Initializers that are part of the architecture, not weights: the pooling matrix. */
    private static final String FIXED = ".matrix";

    private InterpreterGraph() {
    }

    /** One tap: see {@link #build(Map, int, int, int, long[], long)}. */
    public static ModelProto build(String tap, long[] tapShape, int attributes, int classes, long[] inputShape, long seed) {
        return build(Map.of(tap, tapShape), attributes, 0, classes, inputShape, seed);
    }

    /**
     * @param taps each tapped tensor's name in the model and its shape without the batch axis, in order
     * @param concepts how many of the first attributes are bound to concepts (0 to J): they get the
     *     extra output {@code concept_logits}
     * @param inputShape the model input's shape without the batch axis (what d reconstructs)
     */
    public static ModelProto build(Map<String, long[]> taps, int attributes, int concepts, int classes, long[] inputShape,
            long seed) {
        if (attributes < 1) {
            throw new CandorException("the number of attributes must be at least 1, got " + attributes);
        }
        if (concepts < 0 || concepts > attributes) {
            throw new CandorException(concepts + " concepts cannot be bound to " + attributes + " attributes: give at least"
                    + " as many attributes as concepts");
        }
        if (taps.isEmpty()) {
            throw new CandorException("the interpreter needs at least one tap");
        }
        GraphBuilder g = new GraphBuilder("flint-interpreter", 13);
        Layers l = new Layers(g, seed);
        Map<String, long[]> maps = new LinkedHashMap<>();
        Map<String, long[]> vectors = new LinkedHashMap<>();
        for (var tap : taps.entrySet()) {
            long[] shape = tap.getValue();
            long[] dims = new long[shape.length + 1];
            dims[0] = -1;
            System.arraycopy(shape, 0, dims, 1, shape.length);
            g.input(tap.getKey(), DataType.FLOAT32, dims);
            switch (shape.length) {
                case 3 -> maps.put(tap.getKey(), shape);
                case 1 -> vectors.put(tap.getKey(), shape);
                default -> throw new CandorException("the tap '" + tap.getKey() + "' of shape " + Arrays.toString(shape)
                        + " is neither a feature map [C, H, W] nor a vector [D]");
            }
        }
        String phi;
        if (vectors.isEmpty()) {
            phi = l.leakyRelu("psi.act2", l.linear("psi.fc", convolutional(l, maps), features(maps), attributes));
        } else if (maps.isEmpty()) {
            phi = vector(l, vectors, attributes);
        } else {
            String both = concat(l, "psi.features", List.of(convolutional(l, maps), vector(l, vectors, HIDDEN)));
            phi = l.leakyRelu("psi.act2", l.linear("psi.fc", both, features(maps) + HIDDEN, attributes));
        }
        g.node("Identity", ATTRIBUTES, new String[] {phi});
        g.node("Identity", LOGITS, new String[] {l.linear("h", ATTRIBUTES, attributes, classes)});
        g.node("Identity", RECONSTRUCTION, new String[] {decoder(l, ATTRIBUTES, attributes, inputShape)});
        g.output(ATTRIBUTES, DataType.FLOAT32, -1, attributes);
        g.output(LOGITS, DataType.FLOAT32, -1, classes);
        long[] out = new long[inputShape.length + 1];
        out[0] = -1;
        System.arraycopy(inputShape, 0, out, 1, inputShape.length);
        g.output(RECONSTRUCTION, DataType.FLOAT32, out);
        if (concepts > 0) {
            conceptProbe(l, attributes, concepts);
            g.output(CONCEPT_LOGITS, DataType.FLOAT32, -1, concepts);
        }
        return g.build();
    }

    /**
     * The logistic probe that binds attribute k to concept k: z_k = s_k^2 Phi_k + b_k. The squared scale
     * keeps "a larger attribute means the concept is more likely", so its weights in h read as the
     * concept's; the first K attributes are picked by a fixed 0/1 matrix.
     */
    private static void conceptProbe(Layers l, int attributes, int concepts) {
        float[] pick = new float[attributes * concepts];
        float[] ones = new float[concepts];
        for (int k = 0; k < concepts; k++) {
            pick[k * concepts + k] = 1;
            ones[k] = 1;
        }
        GraphBuilder g = l.graph();
        String picked = g.node("MatMul", "concepts.bound", new String[] {ATTRIBUTES,
            g.initializer("concepts.pick" + FIXED, HostTensor.ofFloats(new long[] {attributes, concepts}, pick))});
        String scale = g.initializer("concepts.scale", HostTensor.ofFloats(new long[] {concepts}, ones));
        String squared = g.node("Mul", "concepts.scale_squared", new String[] {scale, scale});
        String offset = g.initializer("concepts.offset", HostTensor.ofFloats(new long[] {concepts}, new float[concepts]));
        String scaled = g.node("Mul", "concepts.scaled", new String[] {picked, squared});
        g.node("Add", CONCEPT_LOGITS, new String[] {scaled, offset});
    }

    /** How many concepts the interpreter binds: 0 unless it has concept probes. */
    public static int boundConcepts(io.candor.interop.exec.Executor interpreter) {
        return interpreter.graph().hasTensor(CONCEPT_LOGITS)
                ? (int) interpreter.weight("concepts.pick" + FIXED).getShape().get(1) : 0;
    }

    /** Whether training changes the initializer {@code name} (the pooling matrix stays as built). */
    public static boolean trains(String name) {
        return !name.endsWith(FIXED);
    }

    /**
     * Feature maps to {@link #features} pooled features. One map: Conv3x3(C -> 64), LeakyReLU, adaptive
     * average pooling to 3 x 3 (see {@link #pooledSide}). Several (FLINT's {@code attr_RN18_multi}): each gets its Conv3x3(C_i -> 64) and
     * LeakyReLU, is averaged down to the smallest map's size, the results are concatenated over channels
     * and a Conv3x3(64 T -> 64) with LeakyReLU mixes them before the 3 x 3 pooling.
     */
    private static String convolutional(Layers l, Map<String, long[]> maps) {
        long h = maps.values().stream().mapToLong(s -> s[1]).min().orElseThrow();
        long w = maps.values().stream().mapToLong(s -> s[2]).min().orElseThrow();
        List<String> branches = new ArrayList<>();
        int i = 0;
        for (var tap : maps.entrySet()) {
            String prefix = maps.size() == 1 ? "psi." : "psi.tap" + i++ + ".";
            long[] s = tap.getValue();
            String a = l.leakyRelu(prefix + "act1", l.conv(prefix + "conv", tap.getKey(), (int) s[0], CHANNELS, 3, 1));
            branches.add(s[1] == h && s[2] == w ? a : averageTo(l, prefix + "resize", a, s[1], s[2], h, w));
        }
        String mixed = branches.get(0);
        if (branches.size() > 1) {
            mixed = l.leakyRelu("psi.mix.act", l.conv("psi.mix", concat(l, "psi.maps", branches), CHANNELS * branches.size(),
                    CHANNELS, 3, 1));
        }
        long ph = pooledSide(h);
        long pw = pooledSide(w);
        String pooled = ph == h && pw == w ? mixed : averageTo(l, "psi.pool", mixed, h, w, ph, pw);
        return l.reshape("psi.flat", pooled, 0, features(maps));
    }

    /**
     * FLINT pools its 14 x 14 tap to 3 x 3. A map of at most 6 on a side (the CDEP net's 4 x 4 after
     * its second block) keeps its size: averaging 4 x 4 into overlapping 2 x 2 windows mixes each corner
     * with the centre, and an attribute for a corner patch then did not learn (held-out AUC 0.5 where
     * the unpooled map gives 0.95).
     */
    static long pooledSide(long side) {
        return side > SMALL ? POOLED : side;
    }

    /** How many features the feature maps give: 64 channels at the pooled size of the smallest map. */
    private static int features(Map<String, long[]> maps) {
        long h = maps.values().stream().mapToLong(s -> s[1]).min().orElseThrow();
        long w = maps.values().stream().mapToLong(s -> s[2]).min().orElseThrow();
        return (int) (CHANNELS * pooledSide(h) * pooledSide(w));
    }

    /** [N, 64, H, W] averaged to [N, 64, outH, outW] as AdaptiveAvgPool2d does: a MatMul with a fixed matrix. */
    private static String averageTo(Layers l, String name, String x, long h, long w, long outH, long outW) {
        String flat = l.reshape(name + ".maps", x, 0, CHANNELS, h * w);
        String matrix = l.graph().initializer(name + FIXED, adaptiveAveraging(h, w, outH, outW));
        String pooled = l.graph().node("MatMul", name, new String[] {flat, matrix});
        return l.reshape(name + ".grid", pooled, 0, CHANNELS, outH, outW);
    }

    /** Vector taps, concatenated: FC D -> 64, ReLU, FC 64 -> out, LeakyReLU. */
    private static String vector(Layers l, Map<String, long[]> vectors, int out) {
        String x = vectors.size() == 1 ? vectors.keySet().iterator().next()
                : concat(l, "psi.vectors", new ArrayList<>(vectors.keySet()));
        int size = (int) vectors.values().stream().mapToLong(s -> s[0]).sum();
        String hidden = l.relu("psi.vec.act1", l.linear("psi.vec.fc1", x, size, HIDDEN));
        return l.leakyRelu("psi.vec.act2", l.linear("psi.vec.fc2", hidden, HIDDEN, out));
    }

    private static String concat(Layers l, String name, List<String> parts) {
        return l.graph().node("Concat", name, parts.toArray(String[]::new), "axis", 1L);
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
        return adaptiveAveraging(h, w, POOLED, POOLED);
    }

    /** [H W, outH outW], the same for any output size. */
    static HostTensor adaptiveAveraging(long h, long w, long outH, long outW) {
        float[] m = new float[(int) (h * w * outH * outW)];
        for (long i = 0; i < outH; i++) {
            long r0 = i * h / outH;
            long r1 = ((i + 1) * h + outH - 1) / outH;
            for (long j = 0; j < outW; j++) {
                long c0 = j * w / outW;
                long c1 = ((j + 1) * w + outW - 1) / outW;
                float share = 1f / ((r1 - r0) * (c1 - c0));
                for (long r = r0; r < r1; r++) {
                    for (long c = c0; c < c1; c++) {
                        m[(int) ((r * w + c) * outH * outW + i * outW + j)] = share;
                    }
                }
            }
        }
        return HostTensor.ofFloats(new long[] {h * w, outH * outW}, m);
    }
}
