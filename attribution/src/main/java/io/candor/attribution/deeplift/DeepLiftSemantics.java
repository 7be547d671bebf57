package io.candor.attribution.deeplift;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.EvalContext;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import io.candor.interop.exec.OpKernels;
import io.candor.interop.exec.Semantics;
import io.candor.interop.onnx.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DeepLIFT-Rescale as a value semantics: every value is evaluated at the input and at the reference,
 * and each op's {@link DeepLiftRules rule} decides its gradient: linear ops and MaxPool keep theirs, an
 * elementwise nonlinearity y = f(x) gets m = (f(x) - f(x0)) / (x - x0), held constant. The gradient of
 * the target with respect to the input is then DeepLIFT's multiplier, and attributions are it times
 * (input - reference).
 */
public final class DeepLiftSemantics implements Semantics<DlValue> {
    private final Map<String, OpKernel> kernels = OpKernels.standard();

    @Override
    public DlValue constant(NDArray tensor) {
        return new DlValue(tensor, tensor);
    }

    @Override
    public List<DlValue> apply(Node node, List<DlValue> inputs, EvalContext context) {
        OpKernel kernel = kernels.get(node.opType());
        List<NDArray> actualIn = new ArrayList<>();
        List<NDArray> referenceIn = new ArrayList<>();
        boolean constant = true;
        for (DlValue v : inputs) {
            actualIn.add(v == null ? null : v.actual());
            referenceIn.add(v == null ? null : v.reference());
            constant &= v == null || v.actual() == v.reference();
        }
        if (constant) {
            // Plumbing on constants needs no rule: one value for both, so later rules see it as constant.
            List<DlValue> out = new ArrayList<>();
            kernel.apply(new OpCall(node, actualIn, context)).forEach(a -> out.add(a == null ? null : new DlValue(a, a)));
            return out;
        }
        DeepLiftRule rule = DeepLiftRules.forNode(node);
        List<NDArray> actual = kernel.apply(new OpCall(node, actualIn, context));
        List<NDArray> reference = kernel.apply(new OpCall(node, referenceIn, context));
        List<DlValue> out = new ArrayList<>();
        for (DlValue v : rule.apply(node, inputs, actual, reference)) {
            // Integer results (shapes, indices) carry no difference: the same value at input and reference.
            out.add(v == null || v.actual().getDataType().isFloating() ? v : new DlValue(v.actual(), v.actual()));
        }
        return out;
    }

    @Override
    public List<NDArray> arrays(DlValue value) {
        return value.actual() == value.reference() ? List.of(value.actual()) : List.of(value.actual(), value.reference());
    }
}
