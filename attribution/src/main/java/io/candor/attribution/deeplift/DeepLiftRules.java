package io.candor.attribution.deeplift;

import io.candor.interop.CandorException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The DeepLIFT rule of each op type Candor supports for it. An op without a rule is an error naming the
 * op and the node, never a silent plain gradient: Softmax and LogSoftmax on purpose (DeepLIFT explains
 * logits), LSTM because its gates multiply two varying values, which Rescale does not cover.
 */
public final class DeepLiftRules {
    private static final Map<String, DeepLiftRule> STANDARD = build();

    private DeepLiftRules() {
    }

    public static Map<String, DeepLiftRule> standard() {
        return STANDARD;
    }

    private static Map<String, DeepLiftRule> build() {
        Map<String, DeepLiftRule> r = new TreeMap<>();
        DeepLiftRule keep = Rules::keepGradient;
        for (String op : new String[] {"Conv", "Gemm", "MatMul", "BatchNormalization", "Add", "Sub", "MaxPool",
            "AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Transpose", "Slice", "Squeeze", "Unsqueeze",
            "Concat", "Gather", "Identity", "Dropout", "Cast", "Pad", "Shape", "ConstantOfShape"}) {
            r.put(op, keep);
        }
        r.put("Mul", Rules::product);
        r.put("Div", Rules::quotient);
        for (String op : new String[] {"Relu", "LeakyRelu", "Sigmoid", "Tanh"}) {
            r.put(op, Rules::rescale);
        }
        return Collections.unmodifiableMap(r);
    }

    /** The rule for {@code opType}, or an error that names the node. */
    static DeepLiftRule forNode(io.candor.interop.onnx.Node node) {
        DeepLiftRule rule = STANDARD.get(node.opType());
        if (rule == null) {
            throw new CandorException("DeepLIFT has no rule for op " + node.opType() + " (" + node.describe() + ")"
                    + (node.opType().endsWith("Softmax") ? "; explain the logits before it" : "")
                    + "; ops with a rule: " + String.join(", ", STANDARD.keySet()));
        }
        return rule;
    }
}
