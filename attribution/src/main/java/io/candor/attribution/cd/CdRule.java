package io.candor.attribution.cd;

import java.util.List;

/**
 * The contextual-decomposition meaning of one ONNX op type: from (total, relevant) inputs to
 * (total, relevant) outputs, with the totals equal to the plain forward values. Rules are called only
 * when at least one input depends on the input being explained; all-constant nodes run plainly.
 */
@FunctionalInterface
public interface CdRule {
    List<CdValue> apply(CdCall call);
}
