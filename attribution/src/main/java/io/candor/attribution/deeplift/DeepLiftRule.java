package io.candor.attribution.deeplift;

import ai.djl.ndarray.NDArray;
import io.candor.interop.onnx.Node;
import java.util.List;

/**
 * How one ONNX op type carries DeepLIFT values. The rule receives the op already evaluated by its plain
 * kernel at the input and at the reference, and returns the node's values.
 */
@FunctionalInterface
public interface DeepLiftRule {
    List<DlValue> apply(Node node, List<DlValue> inputs, List<NDArray> actual, List<NDArray> reference);
}
