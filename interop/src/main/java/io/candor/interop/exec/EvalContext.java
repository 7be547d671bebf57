package io.candor.interop.exec;

import ai.djl.ndarray.NDManager;
import io.candor.interop.onnx.Node;
import java.util.Set;

/**
 * What an op sees of the run besides its inputs.
 *
 * @param manager the manager of the current node's scope: temporaries made here are freed after the
 *     node, so an op needs no cleanup of its own
 * @param batchManager the manager of the whole run, which owns the values that survive a node
 * @param opset the model's default operator set version, for ops whose meaning changed between versions
 * @param training whether Dropout and BatchNormalization behave as in training
 * @param frozen nodes that stay in evaluation mode while training (a frozen prefix)
 * @param tracked tensors that autograd records in this run (they may receive a gradient); {@code null}
 *     when unknown, which ops must read as "any tensor may"
 */
public record EvalContext(NDManager manager, NDManager batchManager, long opset, boolean training, Set<Node> frozen,
        Set<String> tracked) {

    public EvalContext(NDManager manager, NDManager batchManager, long opset, boolean training) {
        this(manager, batchManager, opset, training, Set.of(), null);
    }

    public EvalContext(NDManager manager, NDManager batchManager, long opset, boolean training, Set<Node> frozen) {
        this(manager, batchManager, opset, training, frozen, null);
    }

    EvalContext withTracked(Set<String> names) {
        return new EvalContext(manager, batchManager, opset, training, frozen, names);
    }

    /** Training mode at {@code node}: on while training, except in the frozen prefix. */
    public boolean trainingAt(Node node) {
        return training && !frozen.contains(node);
    }

    EvalContext withScope(NDManager scope) {
        return new EvalContext(scope, batchManager, opset, training, frozen, tracked);
    }
}
