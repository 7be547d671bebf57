package io.candor.interop.exec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.Attributes;
import io.candor.interop.onnx.Node;
import java.util.Arrays;
import java.util.List;

/** One application of a kernel: the node, its input arrays and the run's context, with helpers. */
public final class OpCall {
    private final Node node;
    private final List<NDArray> inputs;
    private final EvalContext context;

    public OpCall(Node node, List<NDArray> inputs, EvalContext context) {
        this.node = node;
        this.inputs = inputs;
        this.context = context;
    }

    public Node node() {
        return node;
    }

    public Attributes attrs() {
        return node.attributes();
    }

    public long opset() {
        return context.opset();
    }

    /** Whether this node runs in training mode (Dropout drops, BatchNormalization uses batch statistics). */
    public boolean training() {
        return context.trainingAt(node);
    }

    /** Whether autograd records input {@code i} in this run, so that a gradient may flow back into it. */
    public boolean recordsGradient(int i) {
        return context.tracked() == null || (i < node.inputs().size() && context.tracked().contains(node.inputs().get(i)));
    }

    /** The manager of this node's scope: for constants and temporaries. */
    public NDManager manager() {
        return context.manager();
    }

    public int inputCount() {
        return inputs.size();
    }

    /** Input {@code i}; fails with a message naming the node when it is absent. */
    public NDArray input(int i) {
        NDArray a = optional(i);
        if (a == null) {
            throw error("input " + i + " is required but absent");
        }
        return a;
    }

    /** Input {@code i}, or {@code null} when the model leaves it out. */
    public NDArray optional(int i) {
        return i < inputs.size() ? inputs.get(i) : null;
    }

    /** Reads a (small, integer) input to the host, e.g. a Reshape target or Slice bounds. */
    public long[] longs(int i) {
        NDArray a = input(i);
        if (a.getDataType().isFloating()) {
            throw error("input " + i + " must be an integer tensor, got " + a.getDataType());
        }
        return a.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
    }

    /** A list of axes from attribute {@code name} (older opsets) or from input {@code index} (newer). */
    public long[] axes(String name, int index, long inputsFromOpset) {
        if (opset() >= inputsFromOpset) {
            return optional(index) == null ? null : longs(index);
        }
        return attrs().getInts(name);
    }

    /** Maps a possibly negative axis into {@code [0, rank)}, or fails naming the node. */
    public int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw error("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }

    public CandorException error(String message) {
        return new CandorException(node.describe() + ": " + message);
    }

    /** Fails unless {@code array} has rank {@code rank}; call before native code that would crash. */
    public void requireRank(NDArray array, int rank, String what) {
        if (array.getShape().dimension() != rank) {
            throw error(what + " must have rank " + rank + ", got shape "
                    + Arrays.toString(array.getShape().getShape()));
        }
    }
}
