package io.candor.interop.exec;

import ai.djl.ndarray.NDManager;

/**
 * What an op sees of the run besides its inputs.
 *
 * @param manager the manager of the current node's scope: temporaries made here are freed after the
 *     node, so an op needs no cleanup of its own
 * @param batchManager the manager of the whole run, which owns the values that survive a node
 * @param opset the model's default operator set version, for ops whose meaning changed between versions
 * @param training whether Dropout and BatchNormalization behave as in training
 */
public record EvalContext(NDManager manager, NDManager batchManager, long opset, boolean training) {

    EvalContext withScope(NDManager scope) {
        return new EvalContext(scope, batchManager, opset, training);
    }
}
