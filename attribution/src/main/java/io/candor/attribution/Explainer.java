package io.candor.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.candor.attribution.cd.CdSweep;
import io.candor.attribution.cd.ContextualDecomposition;
import io.candor.attribution.deeplift.DeepLift;
import io.candor.attribution.methods.GradCam;
import io.candor.attribution.methods.InputXGradient;
import io.candor.attribution.methods.IntegratedGradients;
import io.candor.attribution.methods.Occlusion;
import io.candor.attribution.methods.Quadrature;
import io.candor.attribution.methods.Saliency;
import io.candor.attribution.methods.SmoothGrad;
import io.candor.interop.CandorException;
import java.util.List;
import java.util.Map;

/** Runs one attribution method by name on a batch, for the targets asked, as {@code candor explain} does. */
public final class Explainer {
    public static final List<String> METHODS = List.of("cd", "deeplift", "saliency", "input-x-gradient",
            "integrated-gradients", "smoothgrad", "grad-cam", "occlusion");

    private Explainer() {
    }

    /** Methods that need the ONNX graph, not only gradients. */
    public static final List<String> GRAPH_METHODS = List.of("cd", "deeplift", "grad-cam");

    /** Fails, saying what to use instead, when {@code method} needs an ONNX graph the model does not have. */
    public static void requireGraphIfNeeded(String method, boolean hasGraph) {
        if (GRAPH_METHODS.contains(method) && !hasGraph) {
            throw new CandorException(method + " needs the model's ONNX graph (export it with torch.onnx.export);"
                    + " on a TorchScript model use saliency, input-x-gradient, integrated-gradients, smoothgrad or occlusion");
        }
    }

    public static Explanation explain(DifferentiableModel model, NDManager batch, NDArray input, ExplainOptions o) {
        requireGraphIfNeeded(o.method(), model instanceof ExecutorModel);
        NDArray logits = model.logits(batch, input);
        if (o.method().equals("cd")) {
            return explainCd((ExecutorModel) model, batch, input, o, logits);
        }
        if (!input.getDataType().isFloating()) {
            return explainTokens(model, batch, input, o, logits);
        }
        if (o.targets().mode() == Targets.Mode.ALL) {
            return everyClass(batch, logits, input, (m, t) -> attribute(model, m, input, o, t));
        }
        long[] targets = o.targets().resolve(logits);
        NDArray attributions = attribute(model, batch, input, o, targets);
        float[] completeness = new float[0];
        AttributionMethod method = o.method().equals("grad-cam") ? null : method(o.method(), o);
        if (method != null) {
            completeness = method.completenessError(model, batch, input, targets, attributions);
        }
        return new Explanation(attributions, targets, pick(logits, targets), completeness, null, null);
    }

    private static NDArray attribute(DifferentiableModel model, NDManager batch, NDArray input, ExplainOptions o, long[] t) {
        if (o.method().equals("grad-cam")) {
            if (o.layer() == null) {
                throw new CandorException("grad-cam needs --layer TENSOR (candor inspect lists the tensors)");
            }
            return new GradCam(o.layer()).attribute((ExecutorModel) model, batch, input, t);
        }
        return method(o.method(), o).attribute(model, batch, input, t);
    }

    /**
     * Token inputs: the method runs on the embedding vectors (the token ids held fixed) and each token's
     * attribution is the sum over its vector; occlusion hides whole tokens (their vectors set to the
     * baseline, zeros by default).
     */
    private static Explanation explainTokens(DifferentiableModel model, NDManager batch, NDArray ids, ExplainOptions o,
            NDArray logits) {
        if (!(model instanceof ExecutorModel graph) || o.method().equals("deeplift") || o.method().equals("grad-cam")) {
            throw new CandorException(o.method() + " does not apply to token inputs: DeepLIFT has no rule for LSTM gates"
                    + " and Grad-CAM needs a spatial tensor; use cd, saliency, input-x-gradient, integrated-gradients,"
                    + " smoothgrad or occlusion");
        }
        EmbeddingView view = new EmbeddingView(graph, ids);
        NDArray vectors = view.embed(batch);
        ExplainOptions onVectors = new ExplainOptions(o.method(), o.targets(), null, o.steps(), o.integration(),
                o.internalBatch(), o.absolute(), o.noiseLevel(), o.samples(), o.smoothedMethod(), o.seed(), null,
                o.window(), o.stride(), null, null);
        AttributionMethod method = o.method().equals("occlusion")
                ? new Occlusion(o.window(), (int) vectors.getShape().get(2), o.stride(), (int) vectors.getShape().get(2),
                        null, o.internalBatch())
                : method(o.method(), onVectors);
        if (o.targets().mode() == Targets.Mode.ALL) {
            return everyClass(batch, logits, vectors, (m, t) -> EmbeddingView.perToken(method.attribute(view, m, vectors, t)));
        }
        long[] targets = o.targets().resolve(logits);
        NDArray attributions = method.attribute(view, batch, vectors, targets);
        float[] completeness = method.completenessError(view, batch, vectors, targets, attributions);
        return new Explanation(EmbeddingView.perToken(attributions), targets, pick(logits, targets), completeness, null, null);
    }

    /**
     * Attributions for each class in turn, stacked as [batch, classes, ...]. Each class runs in a manager
     * of its own, with {@code input} lent to it, so one class's temporaries are freed before the next.
     */
    private static Explanation everyClass(NDManager batch, NDArray logits, NDArray input,
            java.util.function.BiFunction<NDManager, long[], NDArray> attribute) {
        NDList perClass = new NDList();
        for (long k = 0; k < logits.getShape().get(1); k++) {
            try (NDManager one = batch.newSubManager()) {
                input.tempAttach(one);
                NDArray a = attribute.apply(one, Targets.of(k).resolve(logits)).expandDims(1);
                a.attach(batch);
                perClass.add(a);
            }
        }
        NDArray all = NDArrays.concat(perClass, 1);
        perClass.close();
        return new Explanation(all, new long[0], new float[0], new float[0], null, null);
    }

    /** The input-shaped method called {@code name}. */
    public static AttributionMethod method(String name, ExplainOptions o) {
        return switch (name) {
            case "saliency" -> new Saliency(o.absolute());
            case "input-x-gradient" -> new InputXGradient();
            case "integrated-gradients" -> new IntegratedGradients(o.baseline(), quadrature(o), o.internalBatch());
            case "smoothgrad" -> {
                if (o.smoothedMethod().equals("smoothgrad")) {
                    throw new CandorException("SmoothGrad cannot smooth itself");
                }
                yield new SmoothGrad(method(o.smoothedMethod(), o), o.noiseLevel(), o.samples(), o.seed());
            }
            case "occlusion" -> new Occlusion(o.window(), o.stride(), o.baseline(), o.internalBatch());
            case "deeplift" -> new DeepLift(o.baseline());
            default -> throw new CandorException("unknown method '" + name + "'; methods: " + String.join(", ", METHODS));
        };
    }

    private static Quadrature quadrature(ExplainOptions o) {
        return switch (o.integration()) {
            case "trapezoid" -> Quadrature.trapezoid(o.steps());
            case "gauss-legendre" -> Quadrature.gaussLegendre(o.steps());
            default -> throw new CandorException("--integration must be trapezoid or gauss-legendre, got '"
                    + o.integration() + "'");
        };
    }

    private static Explanation explainCd(ExecutorModel model, NDManager batch, NDArray input, ExplainOptions o,
            NDArray logits) {
        if (o.targets().mode() == Targets.Mode.ALL) {
            throw new CandorException("CD scores every class at once (cd_relevant.npy); use --target top or a class"
                    + " for the attribution map");
        }
        long[] targets = o.targets().resolve(logits);
        ContextualDecomposition cd = new ContextualDecomposition(model.executor());
        Map<String, NDArray> inputs = Map.of(model.input(), input);
        boolean tokens = !input.getDataType().isFloating();
        if (o.mask() != null || tokens && o.span() != null) {
            NDArray mask = !tokens ? o.mask() : o.span() != null ? spanMask(batch, input, o.span()) : tokenMask(input, o.mask());
            ContextualDecomposition.Decomposition d = tokens
                    ? cd.decomposeTokens(batch, inputs, model.input(), mask, model.output())
                    : cd.decompose(batch, inputs, model.input(), mask, model.output());
            NDArray attributions = spread(mask.broadcast(tokens ? input.getShape() : input.getShape()), d.relevant(), targets);
            return new Explanation(attributions, targets, pick(logits, targets), new float[0], d.relevant(), d.irrelevant());
        }
        CdSweep sweep = new CdSweep(cd);
        CdSweep.Sweep s = tokens ? sweep.tokens(batch, inputs, model.input(), model.output())
                : sweep.tiles(batch, inputs, model.input(), o.window(), model.output());
        // Each feature carries the target's relevant score of its group.
        NDArray attributions = input.zerosLike().toType(logits.getDataType(), false);
        float[] relevant = s.relevant().toFloatArray();
        long groups = s.relevant().getShape().get(1);
        long classes = s.relevant().getShape().get(2);
        long[] perSample = new long[input.getShape().dimension()];
        java.util.Arrays.fill(perSample, 1);
        perSample[0] = targets.length;
        for (int g = 0; g < groups; g++) {
            float[] score = new float[targets.length];
            for (int n = 0; n < targets.length; n++) {
                score[n] = relevant[(int) ((n * groups + g) * classes + targets[n])];
            }
            try (NDManager paint = batch.newSubManager()) {
                attributions.tempAttach(paint);
                NDIndex region = s.regions().get(g);
                attributions.set(region, attributions.get(region).add(paint.create(score).reshape(perSample)));
            }
        }
        return new Explanation(attributions, targets, pick(logits, targets), new float[0], s.relevant(), s.irrelevant());
    }

    /** Each sample's mask times its target's relevant score. */
    private static NDArray spread(NDArray mask, NDArray relevant, long[] targets) {
        long n = targets.length;
        float[] score = pick(relevant, targets);
        long[] perSample = new long[mask.getShape().dimension()];
        java.util.Arrays.fill(perSample, 1);
        perSample[0] = n;
        NDArray scores = mask.getManager().create(score).reshape(perSample);
        return mask.toType(relevant.getDataType(), false).mul(scores);
    }

    /** A mask of token positions, [T] for every sample or [N, T], as the [N, T] floats CD reads. */
    private static NDArray tokenMask(NDArray tokens, NDArray mask) {
        Shape ids = tokens.getShape();
        Shape m = mask.getShape();
        boolean shared = m.dimension() == 1 && m.get(0) == ids.get(1);
        if (!shared && !m.equals(ids)) {
            String shape = java.util.Arrays.toString(ids.getShape());
            throw new CandorException("--mask on token inputs " + shape + " must be [" + ids.get(1) + "] or " + shape
                    + " (1 marks a relevant token); got " + java.util.Arrays.toString(m.getShape()));
        }
        return (shared ? mask.broadcast(ids) : mask).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
    }

    private static NDArray spanMask(NDManager batch, NDArray tokens, int[] span) {
        long n = tokens.getShape().get(0);
        long steps = tokens.getShape().get(1);
        if (span[0] < 0 || span[1] >= steps || span[0] > span[1]) {
            throw new CandorException("--span " + span[0] + ":" + span[1] + " is outside the " + steps + " tokens");
        }
        float[] m = new float[(int) (n * steps)];
        for (int i = 0; i < n; i++) {
            for (int t = span[0]; t <= span[1]; t++) {
                m[(int) (i * steps + t)] = 1;
            }
        }
        return batch.create(m, new ai.djl.ndarray.types.Shape(n, steps));
    }

    static float[] pick(NDArray scores, long[] targets) {
        float[] all = scores.toFloatArray();
        long classes = scores.getShape().get(1);
        float[] out = new float[targets.length];
        for (int n = 0; n < targets.length; n++) {
            out[n] = all[(int) (n * classes + targets[n])];
        }
        return out;
    }
}
