package io.candor.attribution.cd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.CandorException;
import io.candor.interop.exec.EvalContext;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import io.candor.interop.onnx.Attributes;
import io.candor.interop.onnx.Node;
import java.util.ArrayList;
import java.util.List;

/** One application of a CD rule: the node, its decomposed inputs, and the op's plain kernel. */
public final class CdCall {
    private final Node node;
    private final List<CdValue> inputs;
    private final EvalContext context;
    private final OpKernel kernel;
    private final NDArray tokenMask;
    private final boolean forwardPass;

    CdCall(Node node, List<CdValue> inputs, EvalContext context, OpKernel kernel, NDArray tokenMask,
            boolean forwardPass) {
        this.forwardPass = forwardPass;
        this.node = node;
        this.inputs = inputs;
        this.context = context;
        this.kernel = kernel;
        this.tokenMask = tokenMask;
    }

    /** The relevant tokens [batch, steps] of a text decomposition, or {@code null}. */
    public NDArray tokenMask() {
        return tokenMask;
    }

    public Node node() {
        return node;
    }

    public Attributes attrs() {
        return node.attributes();
    }

    public NDManager manager() {
        return context.manager();
    }

    public int inputCount() {
        return inputs.size();
    }

    /** Input {@code i} or {@code null} when absent. */
    public CdValue input(int i) {
        return i < inputs.size() ? inputs.get(i) : null;
    }

    /** The plain op applied to the given arrays (the node's own attributes), first output. */
    public NDArray plain(List<NDArray> arrays) {
        return plainAll(arrays).get(0);
    }

    public List<NDArray> plainAll(List<NDArray> arrays) {
        return kernel.apply(opCall(arrays));
    }

    /** The plain op's view of this node with the given input arrays. */
    public OpCall opCall(List<NDArray> arrays) {
        return new OpCall(node, arrays, context);
    }

    /**
     * Whether this decomposition is also the training step's forward pass, so that an op with state
     * (BatchNorm's running statistics) updates it as the plain pass would.
     */
    public boolean updatesState() {
        return forwardPass && training();
    }

    /** Whether this node runs in training mode (as the executor's forward pass would). */
    public boolean training() {
        return context.trainingAt(node);
    }

    /** The plain op on the totals: the forward value of the node. */
    public List<NDArray> plainTotals() {
        List<NDArray> totals = new ArrayList<>();
        for (CdValue v : inputs) {
            totals.add(v == null ? null : v.total());
        }
        return plainAll(totals);
    }

    /** The inputs with input {@code i} replaced by {@code array} and the others' totals. */
    public List<NDArray> totalsWith(int i, NDArray array) {
        List<NDArray> arrays = new ArrayList<>();
        for (int k = 0; k < inputs.size(); k++) {
            arrays.add(k == i ? array : inputs.get(k) == null ? null : inputs.get(k).total());
        }
        return arrays;
    }

    /** Fails unless only input {@code i} depends on the explained input. */
    public void requireOnlyDecomposed(int i) {
        for (int k = 0; k < inputs.size(); k++) {
            if (k != i && inputs.get(k) != null && !inputs.get(k).isConstant()) {
                throw error("input " + k + " depends on the explained input too; CD decomposes only the data"
                        + " input of this op");
            }
        }
    }

    public CandorException error(String message) {
        return new CandorException("CD: " + node.describe() + ": " + message);
    }
}
