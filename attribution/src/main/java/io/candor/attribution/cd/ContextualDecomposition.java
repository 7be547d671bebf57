package io.candor.attribution.cd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.exec.GraphRunner;
import io.candor.interop.onnx.Node;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Contextual decomposition (Murdoch et al. 2018; Singh et al. 2019) of a model's output into the part
 * that a chosen group of input features explains (relevant) and the rest (irrelevant), with
 * relevant + irrelevant equal to the output. One forward pass over (total, relevant) pairs; it is
 * differentiable, so CDEP can train through it.
 */
public final class ContextualDecomposition {
    private final Executor executor;
    private final GraphRunner<CdValue> runner;

    public ContextualDecomposition(Executor executor) {
        this(executor, CdSemantics.standard());
    }

    private ContextualDecomposition(Executor executor, CdSemantics semantics) {
        this.executor = executor;
        this.runner = executor.runner(semantics);
    }

    /**
     * A decomposition that is also the training step's forward pass: its totals are the logits the loss
     * is taken on, so BatchNorm's running statistics update as in a plain forward pass (in training mode).
     */
    public static ContextualDecomposition asForwardPass(Executor executor) {
        return new ContextualDecomposition(executor, CdSemantics.forwardPass());
    }

    /** Relevant and irrelevant parts of an output. */
    public record Decomposition(NDArray relevant, NDArray irrelevant) {
    }

    /**
     * Decomposes {@code output} for a float input whose relevant features are marked by {@code mask}
     * (1 = relevant), any shape that broadcasts to the input's by NumPy's rules.
     */
    public Decomposition decompose(NDManager batch, Map<String, NDArray> inputs, String input, NDArray mask,
            String output) {
        NDArray x = inputs.get(input);
        if (x == null) {
            throw new CandorException("no value given for the input '" + input + "'");
        }
        Map<String, CdValue> feeds = constants(inputs);
        feeds.put(input, start(batch, x, mask));
        return run(runner, batch, feeds, output);
    }

    /**
     * Where a decomposition of {@code x} starts: the total x and its relevant part x * mask, with the
     * mask in any shape that broadcasts to x's.
     */
    public static CdValue start(NDManager batch, NDArray x, NDArray mask) {
        requireBroadcastable(mask.getShape().getShape(), x.getShape().getShape());
        NDArray relevant = x.mul(mask.toType(x.getDataType(), false));
        relevant.attach(batch);
        return CdValue.of(x, relevant);
    }

    /**
     * Decomposes {@code wanted} tensors from a decomposition given at one tensor, which may lie
     * anywhere in the graph: where a frozen prefix's decomposition, computed once, is continued.
     * The results live in {@code batch}.
     */
    public Map<String, CdValue> from(NDManager batch, String tensor, CdValue start, List<String> wanted) {
        return runner.run(Map.of(tensor, start), wanted, executor.context(batch));
    }

    /** {@link #from} for the one output, as relevant and irrelevant parts. */
    public Decomposition from(NDManager batch, String tensor, CdValue start, String output) {
        return split(batch, from(batch, tensor, start, List.of(output)).get(output));
    }

    /**
     * Decomposes {@code output} of a text model: the decomposition starts at the embedding lookup of the
     * token input, where the tokens marked by {@code tokenMask} ([batch, tokens], 1 = relevant) are
     * relevant.
     */
    public Decomposition decomposeTokens(NDManager batch, Map<String, NDArray> inputs, String input,
            NDArray tokenMask, String output) {
        return decomposeTokens(batch, inputs, input, tokenMask, output, false);
    }

    /**
     * {@link #decomposeTokens(NDManager, Map, String, NDArray, String)}, which with {@code asForwardPass}
     * is also the training step's forward pass (see {@link #asForwardPass}).
     */
    public Decomposition decomposeTokens(NDManager batch, Map<String, NDArray> inputs, String input,
            NDArray tokenMask, String output, boolean asForwardPass) {
        Node lookup = io.candor.attribution.EmbeddingView.lookup(executor, input);
        String embedding = lookup.output(0);
        NDArray e = executor.run(batch, inputs, List.of(embedding)).get(embedding);
        long[] es = e.getShape().getShape();
        long[] ms = tokenMask.getShape().getShape();
        if (ms.length != 2 || ms[0] != es[0] || ms[1] != es[1]) {
            throw new CandorException("the token mask must have shape [" + es[0] + ", " + es[1] + "], got "
                    + Arrays.toString(ms));
        }
        NDArray steps = tokenMask.toType(e.getDataType(), false);
        NDArray relevant = e.mul(steps.expandDims(2));
        relevant.attach(batch);
        if (steps != tokenMask) {
            steps.attach(batch); // a converted copy; the caller's own mask stays where it is
        }
        Map<String, CdValue> feeds = constants(inputs);
        feeds.put(embedding, CdValue.of(e, relevant));
        return run(executor.runner(CdSemantics.forTokens(steps, asForwardPass)), batch, feeds, output);
    }

    private Decomposition run(GraphRunner<CdValue> runner, NDManager batch, Map<String, CdValue> feeds,
            String output) {
        return split(batch, runner.run(feeds, List.of(output), executor.context(batch)).get(output));
    }

    private static Decomposition split(NDManager batch, CdValue out) {
        NDArray irrelevant = out.irrelevant();
        irrelevant.attach(batch);
        return new Decomposition(out.relevantOrZeros(), irrelevant);
    }

    private static Map<String, CdValue> constants(Map<String, NDArray> inputs) {
        Map<String, CdValue> feeds = new HashMap<>();
        inputs.forEach((name, value) -> feeds.put(name, CdValue.constant(value)));
        return feeds;
    }

    static void requireBroadcastable(long[] mask, long[] input) {
        boolean ok = mask.length <= input.length;
        for (int i = 1; ok && i <= mask.length; i++) {
            long m = mask[mask.length - i];
            ok = m == 1 || m == input[input.length - i];
        }
        if (!ok) {
            throw new CandorException("the mask's shape " + Arrays.toString(mask) + " does not broadcast to the input's "
                    + Arrays.toString(input));
        }
    }
}
