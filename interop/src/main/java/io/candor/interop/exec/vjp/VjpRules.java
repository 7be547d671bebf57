package io.candor.interop.exec.vjp;

import java.util.Map;

/** The ops whose input gradient {@link InputGradient} can write out. */
final class VjpRules {
    private VjpRules() {
    }

    static Map<String, VjpRule> standard() {
        VjpRule reshape = (node, in, out, g, training) -> g.reshape(in.get(0).getShape());
        VjpRule identity = (node, in, out, g, training) -> g;
        return Map.of(
                "Conv", new ConvVjp(),
                "Gemm", new GemmVjp(),
                "MaxPool", new MaxPoolVjp(),
                "Relu", (node, in, out, g, training) -> g.mul(in.get(0).stopGradient().gt(0).toType(g.getDataType(), false)),
                "Flatten", reshape,
                "Reshape", reshape,
                "Identity", identity,
                "Dropout", (node, in, out, g, training) -> {
                    if (training) {
                        throw VjpRule.unsupported(node, "Dropout while training");
                    }
                    return g;
                });
    }
}
