package io.candor.attribution.deeplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.Node;
import java.util.ArrayList;
import java.util.List;

/** The DeepLIFT-Rescale rules: linear ops keep their gradient, elementwise nonlinearities rescale. */
final class Rules {
    static final float NEAR_ZERO = 1e-7f;

    private Rules() {
    }

    /** Linear, shape and selection ops (and MaxPool, as DeepLIFT's reference does): the plain gradient. */
    static List<DlValue> keepGradient(Node node, List<DlValue> inputs, List<NDArray> actual, List<NDArray> reference) {
        List<DlValue> out = new ArrayList<>();
        for (int i = 0; i < actual.size(); i++) {
            out.add(actual.get(i) == null ? null : new DlValue(actual.get(i), reference.get(i)));
        }
        return out;
    }

    /** Mul is linear in each factor while the other is constant; two varying factors have no Rescale rule. */
    static List<DlValue> product(Node node, List<DlValue> inputs, List<NDArray> actual, List<NDArray> reference) {
        if (varies(inputs.get(0)) && varies(inputs.get(1))) {
            throw new CandorException("DeepLIFT has no rule for " + node.describe()
                    + ": it multiplies two values that both depend on the input");
        }
        return keepGradient(node, inputs, actual, reference);
    }

    /** Div is linear in its numerator while the denominator is constant. */
    static List<DlValue> quotient(Node node, List<DlValue> inputs, List<NDArray> actual, List<NDArray> reference) {
        if (varies(inputs.get(1))) {
            throw new CandorException("DeepLIFT has no rule for " + node.describe()
                    + ": it divides by a value that depends on the input");
        }
        return keepGradient(node, inputs, actual, reference);
    }

    /** y = f(x) with the gradient m = (f(x) - f(x0)) / (x - x0), held constant (f'(x0) where x = x0). */
    static List<DlValue> rescale(Node node, List<DlValue> inputs, List<NDArray> actual, List<NDArray> reference) {
        NDArray x = inputs.get(0).actual();
        NDArray x0 = inputs.get(0).reference();
        NDArray y = actual.get(0);
        NDArray y0 = reference.get(0);
        NDArray dx = x.sub(x0).stopGradient();
        NDArray dy = y.sub(y0).stopGradient();
        NDArray small = dx.abs().lt(NEAR_ZERO);
        NDArray safeDx = NDArrays.where(small, dx.onesLike(), dx);
        NDArray m = NDArrays.where(small, derivativeAt(node, x0.stopGradient(), y0.stopGradient()), dy.div(safeDx));
        // Exactly f(x) forward (t - t is 0), gradient m: rounding must not move a later max-pool's argmax.
        NDArray t = m.mul(x);
        return List.of(new DlValue(y.stopGradient().add(t.sub(t.stopGradient())), y0));
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
            default -> throw new IllegalStateException("no derivative for " + node.opType());
        };
    }

    /** A float value that differs between input and reference; constants are one array for both. */
    private static boolean varies(DlValue v) {
        return v != null && v.actual() != v.reference() && v.actual().getDataType().isFloating();
    }
}
