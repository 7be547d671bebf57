package io.candor.attribution.deeplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.candor.interop.CandorException;
import io.candor.interop.exec.EvalContext;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import io.candor.interop.exec.OpKernels;
import io.candor.interop.exec.Semantics;
import io.candor.interop.onnx.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * DeepLIFT-Rescale as a value semantics: every value is evaluated at the input and at the reference.
 * An elementwise nonlinearity y = f(x) keeps its value but gets the gradient
 * m = (f(x) - f(x0)) / (x - x0), held constant (f'(x0) where |x - x0| < 1e-7); linear ops and MaxPool keep their gradient. The gradient of the
 * target with respect to the input is then DeepLIFT's multiplier, and attributions are it times
 * (input - reference).
 */
public final class DeepLiftSemantics implements Semantics<DlValue> {
    static final float NEAR_ZERO = 1e-7f;
    private static final Set<String> NONLINEAR = Set.of("Relu", "LeakyRelu", "Sigmoid", "Tanh");
    private static final Set<String> UNSUPPORTED = Set.of("Softmax", "LogSoftmax", "LSTM");
    private final java.util.Map<String, OpKernel> kernels = OpKernels.standard();

    @Override
    public DlValue constant(NDArray tensor) {
        return new DlValue(tensor, tensor);
    }

    @Override
    public List<DlValue> apply(Node node, List<DlValue> inputs, EvalContext context) {
        if (UNSUPPORTED.contains(node.opType())) {
            throw new CandorException("DeepLIFT has no rule for op " + node.opType() + " (" + node.describe() + ")"
                    + (node.opType().endsWith("Softmax") ? "; explain the logits before it" : ""));
        }
        OpKernel kernel = kernels.get(node.opType());
        List<NDArray> actualIn = new ArrayList<>();
        List<NDArray> referenceIn = new ArrayList<>();
        for (DlValue v : inputs) {
            actualIn.add(v == null ? null : v.actual());
            referenceIn.add(v == null ? null : v.reference());
        }
        List<NDArray> actual = kernel.apply(new OpCall(node, actualIn, context));
        List<NDArray> reference = kernel.apply(new OpCall(node, referenceIn, context));
        List<DlValue> out = new ArrayList<>();
        for (int i = 0; i < actual.size(); i++) {
            NDArray y = actual.get(i);
            if (y == null) {
                out.add(null);
            } else if (i == 0 && NONLINEAR.contains(node.opType())) {
                out.add(new DlValue(rescale(node, actualIn.get(0), referenceIn.get(0), y, reference.get(0)),
                        reference.get(0)));
            } else {
                out.add(new DlValue(y, reference.get(i)));
            }
        }
        return out;
    }

    /** A value equal to f(x) whose gradient is the Rescale multiplier m, held constant. */
    private static NDArray rescale(Node node, NDArray x, NDArray x0, NDArray y, NDArray y0) {
        NDArray dx = x.sub(x0).stopGradient();
        NDArray dy = y.sub(y0).stopGradient();
        NDArray small = dx.abs().lt(NEAR_ZERO);
        NDArray safeDx = NDArrays.where(small, dx.onesLike(), dx);
        NDArray m = NDArrays.where(small, derivativeAt(node, x0.stopGradient(), y0.stopGradient()), dy.div(safeDx));
        // Exactly f(x) forward (t - t is 0), gradient m: rounding must not move a later max-pool's argmax.
        NDArray t = m.mul(x);
        return y.stopGradient().add(t.sub(t.stopGradient()));
    }

    private static NDArray derivativeAt(Node node, NDArray x0, NDArray y0) {
        return switch (node.opType()) {
            case "Relu" -> x0.gt(0).toType(x0.getDataType(), false);
            case "LeakyRelu" -> {
                float alpha = node.attributes().getFloat("alpha", 0.01f);
                NDArray pos = x0.gt(0).toType(x0.getDataType(), false);
                yield pos.add(pos.neg().add(1).mul(alpha));
            }
            case "Sigmoid" -> y0.mul(y0.neg().add(1));
            case "Tanh" -> y0.square().neg().add(1);
            default -> throw new IllegalStateException(node.opType());
        };
    }

    @Override
    public List<NDArray> arrays(DlValue value) {
        return value.actual() == value.reference() ? List.of(value.actual()) : List.of(value.actual(), value.reference());
    }
}
