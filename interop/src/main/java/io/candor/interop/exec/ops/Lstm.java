package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX LSTM (forward, reverse or bidirectional; layout 0 or 1), step by step from matrix products and
 * elementwise gates. Not libtorch's fused LSTM: that runs through oneDNN, which computes it wrong on
 * some CPUs (measured: AMD EPYC with AVX-512, hidden sizes up to 16, errors of 30-100%), and crashes the
 * JVM on a wrong state shape instead of throwing. The shapes are checked here first all the same.
 */
public final class Lstm implements OpKernel {
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

        NDList ys = new NDList();
        NDList hs = new NDList();
        NDList cs = new NDList();
        for (int d = 0; d < dirs; d++) {
            boolean reverse = direction.equals("reverse") || d == 1;
            NDArray[] out = direction(seqMajor, w.get(d), r.get(d), b == null ? null : b.get(d), h0.get(d),
                    c0.get(d), hidden, reverse);
            ys.add(out[0]);
            hs.add(out[1]);
            cs.add(out[2]);
        }
        // ONNX wants Y as [T, D, N, H] (layout 0) or [N, T, D, H] (layout 1), the states as [D, N, H] or [N, D, H].
        NDArray y = NDArrays.stack(ys, 1);
        NDArray hOut = NDArrays.stack(hs, 0);
        NDArray cOut = NDArrays.stack(cs, 0);
        if (batchMajor) {
            return Arrays.asList(y.transpose(2, 0, 1, 3), hOut.transpose(1, 0, 2), cOut.transpose(1, 0, 2));
        }
        return Arrays.asList(y, hOut, cOut);
    }

    /**
     * One direction, step by step, in ONNX's gate order: x [T, N, I], w [4H, I], r [4H, H], b [8H] or
     * null, h0 and c0 [N, H]. Returns {Y [T, N, H], Y_h [N, H], Y_c [N, H]}.
     */
    private static NDArray[] direction(NDArray x, NDArray w, NDArray r, NDArray b, NDArray h0, NDArray c0,
            long hidden, boolean reverse) {
        NDArray projected = x.matMul(w.transpose());
        if (b != null) {
            projected = projected.add(b.get("0:" + 4 * hidden).add(b.get(4 * hidden + ":")));
        }
        NDArray rT = r.transpose();
        long steps = x.getShape().get(0);
        NDArray[] outputs = new NDArray[(int) steps];
        NDArray h = h0;
        NDArray c = c0;
        for (long s = 0; s < steps; s++) {
            long t = reverse ? steps - 1 - s : s;
            NDArray a = projected.get(t).add(h.matMul(rT));
            NDArray input = Activation.sigmoid(gate(a, 0, hidden));
            NDArray output = Activation.sigmoid(gate(a, 1, hidden));
            NDArray forget = Activation.sigmoid(gate(a, 2, hidden));
            NDArray cell = gate(a, 3, hidden).tanh();
            c = forget.mul(c).add(input.mul(cell));
            h = output.mul(c.tanh());
            outputs[(int) t] = h;
        }
        return new NDArray[] {NDArrays.stack(new NDList(outputs), 0), h, c};
    }

    /** Gate block {@code k} (ONNX order: input, output, forget, cell) of the last axis. */
    private static NDArray gate(NDArray a, int k, long hidden) {
        return a.get("..., " + k * hidden + ":" + (k + 1) * hidden);
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

    private static void expectShape(OpCall call, NDArray a, String what, long... expected) {
        if (!Arrays.equals(a.getShape().getShape(), expected)) {
            throw call.error(what + " must have shape " + Arrays.toString(expected) + ", got "
                    + Arrays.toString(a.getShape().getShape()));
        }
    }
}
