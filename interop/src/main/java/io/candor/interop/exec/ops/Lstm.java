package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX LSTM (forward, reverse or bidirectional; layout 0 or 1) on PyTorch's fused LSTM. ONNX stacks
 * the gates as input, output, forget, cell and PyTorch as input, forget, cell, output, so the weight
 * blocks are reordered. Every shape is checked here first: libtorch's LSTM crashes the JVM on a wrong
 * state shape instead of throwing.
 */
public final class Lstm implements OpKernel {
    /** Block order of PyTorch's gates (i, f, g, o) within ONNX's (i, o, f, c). */
    private static final int[] ONNX_BLOCK_OF_TORCH_GATE = {0, 2, 3, 1};

    @Override
    public List<NDArray> apply(OpCall call) {
        checkAttributes(call);
        boolean batchMajor = call.attrs().getInt("layout", 0) == 1;
        NDArray x = call.input(0);
        call.requireRank(x, 3, "X");
        NDArray seqMajor = batchMajor ? x.transpose(1, 0, 2) : x;
        long steps = seqMajor.getShape().get(0);
        long batch = seqMajor.getShape().get(1);
        long features = seqMajor.getShape().get(2);

        NDArray w = call.input(1);
        NDArray r = call.input(2);
        NDArray b = call.optional(3);
        String direction = call.attrs().getString("direction", "forward");
        int dirs = direction.equals("bidirectional") ? 2 : 1;
        long hidden = call.attrs().getInt("hidden_size", r.getShape().get(r.getShape().dimension() - 1));
        expectShape(call, w, "W", dirs, 4 * hidden, features);
        expectShape(call, r, "R", dirs, 4 * hidden, hidden);
        if (b != null) {
            expectShape(call, b, "B", dirs, 8 * hidden);
        }
        checkSequenceLengths(call, steps);
        NDArray h0 = initialState(call, 5, dirs, batch, hidden, batchMajor, seqMajor);
        NDArray c0 = initialState(call, 6, dirs, batch, hidden, batchMajor, seqMajor);

        NDList params = new NDList();
        for (int d = 0; d < dirs; d++) {
            params.add(torchGates(w.get(d), hidden));
            params.add(torchGates(r.get(d), hidden));
            if (b != null) {
                NDArray bd = b.get(d);
                params.add(torchGates(bd.get("0:" + 4 * hidden), hidden));
                params.add(torchGates(bd.get(4 * hidden + ":"), hidden));
            }
        }
        boolean reverse = direction.equals("reverse");
        NDArray input = reverse ? seqMajor.flip(0) : seqMajor;
        NDList out = input.getNDArrayInternal().lstm(input, new NDList(h0, c0), params, b != null, 1, 0,
                false, dirs == 2, false);
        NDArray y = out.get(0);
        if (reverse) {
            y = y.flip(0);
        }
        // PyTorch gives [T, N, D*H]; ONNX wants [T, D, N, H] (layout 0) or [N, T, D, H] (layout 1).
        NDArray y4 = y.reshape(steps, batch, dirs, hidden);
        NDArray yOut = batchMajor ? y4 : y4.transpose(0, 2, 1, 3);
        NDArray hOut = batchMajor ? out.get(1).transpose(1, 0, 2) : out.get(1);
        NDArray cOut = batchMajor ? out.get(2).transpose(1, 0, 2) : out.get(2);
        return Arrays.asList(yOut, hOut, cOut);
    }

    private static void checkAttributes(OpCall call) {
        if (call.attrs().has("clip")) {
            throw call.error("the clip attribute is not supported");
        }
        if (call.attrs().getInt("input_forget", 0) != 0) {
            throw call.error("input_forget is not supported");
        }
        List<String> acts = call.attrs().getStrings("activations");
        for (int i = 0; i < acts.size(); i++) {
            String expected = i % 3 == 0 ? "Sigmoid" : "Tanh";
            if (!acts.get(i).equalsIgnoreCase(expected)) {
                throw call.error("only the default activations (Sigmoid, Tanh, Tanh) are supported, got " + acts);
            }
        }
        if (call.optional(7) != null) {
            throw call.error("peephole weights (input P) are not supported");
        }
    }

    private static void checkSequenceLengths(OpCall call, long steps) {
        if (call.optional(4) == null) {
            return;
        }
        for (long len : call.longs(4)) {
            if (len != steps) {
                throw call.error("sequence_lens shorter than the sequence (" + len + " < " + steps
                        + ") are not supported; pad the batch instead");
            }
        }
    }

    private static NDArray initialState(OpCall call, int index, int dirs, long batch, long hidden,
            boolean batchMajor, NDArray like) {
        NDArray s = call.optional(index);
        if (s == null) {
            return call.manager().zeros(new Shape(dirs, batch, hidden), like.getDataType());
        }
        if (batchMajor) {
            expectShape(call, s, index == 5 ? "initial_h" : "initial_c", batch, dirs, hidden);
            return s.transpose(1, 0, 2);
        }
        expectShape(call, s, index == 5 ? "initial_h" : "initial_c", dirs, batch, hidden);
        return s;
    }

    private static NDArray torchGates(NDArray onnxBlocks, long hidden) {
        NDList blocks = new NDList();
        for (int block : ONNX_BLOCK_OF_TORCH_GATE) {
            blocks.add(onnxBlocks.get(block * hidden + ":" + (block + 1) * hidden));
        }
        return NDArrays.concat(blocks, 0);
    }

    private static void expectShape(OpCall call, NDArray a, String what, long... expected) {
        if (!Arrays.equals(a.getShape().getShape(), expected)) {
            throw call.error(what + " must have shape " + Arrays.toString(expected) + ", got "
                    + Arrays.toString(a.getShape().getShape()));
        }
    }
}
