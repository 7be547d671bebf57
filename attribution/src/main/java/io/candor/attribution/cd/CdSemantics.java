package io.candor.attribution.cd;

import ai.djl.ndarray.NDArray;
import io.candor.interop.CandorException;
import io.candor.interop.exec.EvalContext;
import io.candor.interop.exec.OpKernel;
import io.candor.interop.exec.OpKernels;
import io.candor.interop.exec.Semantics;
import io.candor.interop.onnx.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Contextual decomposition as a value semantics of the graph executor: one forward pass over
 * (total, relevant) pairs. Nodes whose inputs are all constants (weights, shape plumbing) run plainly;
 * the others use their op's {@link CdRule}. An op without a rule is an error naming it.
 */
public final class CdSemantics implements Semantics<CdValue> {
    private final Map<String, CdRule> rules;
    private final Map<String, OpKernel> kernels = OpKernels.standard();
    private final NDArray tokenMask;
    private final boolean forwardPass;

    /**
     * @param tokenMask for text models, the relevant tokens [batch, steps] (1 = relevant), which the
     *     LSTM rule needs to place its bias term; {@code null} otherwise
     * @param forwardPass whether this decomposition is also the training step's forward pass: its totals
     *     are the logits the loss is taken on, so ops with state (BatchNorm's running statistics)
     *     update it, once, as the plain forward pass would
     */
    public CdSemantics(Map<String, CdRule> rules, NDArray tokenMask, boolean forwardPass) {
        this.rules = rules;
        this.tokenMask = tokenMask;
        this.forwardPass = forwardPass;
    }

    public static CdSemantics standard() {
        return new CdSemantics(CdRules.standard(), null, false);
    }

    /** The standard rules as the training step's forward pass (see the constructor). */
    public static CdSemantics forwardPass() {
        return new CdSemantics(CdRules.standard(), null, true);
    }

    public static CdSemantics forTokens(NDArray tokenMask) {
        return forTokens(tokenMask, false);
    }

    /** The standard rules for a text model whose relevant tokens {@code tokenMask} marks. */
    public static CdSemantics forTokens(NDArray tokenMask, boolean forwardPass) {
        return new CdSemantics(CdRules.standard(), tokenMask, forwardPass);
    }

    @Override
    public CdValue constant(NDArray tensor) {
        return CdValue.constant(tensor);
    }

    @Override
    public List<CdValue> apply(Node node, List<CdValue> inputs, EvalContext context) {
        OpKernel kernel = kernels.get(node.opType());
        CdCall call = new CdCall(node, inputs, context, kernel, tokenMask, forwardPass);
        boolean decomposed = inputs.stream().anyMatch(v -> v != null && !v.isConstant());
        if (!decomposed) {
            List<CdValue> out = new ArrayList<>();
            for (NDArray a : call.plainTotals()) {
                out.add(a == null ? null : CdValue.constant(a));
            }
            return out;
        }
        CdRule rule = rules.get(node.opType());
        if (rule == null) {
            throw new CandorException("CD has no rule for op " + node.opType() + " (" + node.describe()
                    + "); ops with CD rules: " + String.join(", ", new java.util.TreeSet<>(rules.keySet())));
        }
        return rule.apply(call);
    }

    @Override
    public List<NDArray> arrays(CdValue value) {
        if (value.isConstant() || value.relevant() == value.total()) {
            return List.of(value.total());
        }
        return List.of(value.total(), value.relevant());
    }
}
