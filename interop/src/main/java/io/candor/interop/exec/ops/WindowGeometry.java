package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.exec.OpCall;
import java.util.Arrays;

/**
 * Kernel, strides, dilations and padding of a sliding-window op (Conv, MaxPool, AveragePool), resolved
 * from ONNX attributes the way the spec defines them, including {@code auto_pad}. PyTorch takes one
 * symmetric padding per axis, so asymmetric ONNX pads are applied beforehand by {@link #padInput}.
 */
record WindowGeometry(long[] kernel, long[] strides, long[] dilations, long[] begin, long[] end) {

    static WindowGeometry of(OpCall call, long[] kernel, long[] spatialInput) {
        int n = kernel.length;
        long[] strides = call.attrs().getInts("strides", filled(n, 1));
        long[] dilations = call.attrs().getInts("dilations", filled(n, 1));
        long[] pads = call.attrs().getInts("pads", filled(2 * n, 0));
        if (strides.length != n || dilations.length != n || pads.length != 2 * n) {
            throw call.error("strides, dilations and pads must match the " + n + " spatial axes of the kernel");
        }
        long[] begin = Arrays.copyOfRange(pads, 0, n);
        long[] end = Arrays.copyOfRange(pads, n, 2 * n);
        String autoPad = call.attrs().getString("auto_pad", "NOTSET");
        switch (autoPad) {
            case "NOTSET" -> { }
            case "VALID" -> {
                Arrays.fill(begin, 0);
                Arrays.fill(end, 0);
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                for (int i = 0; i < n; i++) {
                    long out = (spatialInput[i] + strides[i] - 1) / strides[i];
                    long total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1
                            - spatialInput[i]);
                    long small = total / 2;
                    begin[i] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    end[i] = total - begin[i];
                }
            }
            default -> throw call.error("auto_pad '" + autoPad + "' is not an ONNX value");
        }
        return new WindowGeometry(kernel, strides, dilations, begin, end);
    }

    boolean symmetric() {
        return Arrays.equals(begin, end);
    }

    /** The padding PyTorch applies itself: the symmetric pads, or none when they were applied already. */
    Shape torchPadding() {
        return new Shape(symmetric() ? begin : new long[begin.length]);
    }

    /** Pads {@code x} explicitly with {@code value} when the pads are asymmetric; otherwise returns x. */
    NDArray padInput(NDArray x, double value) {
        if (symmetric()) {
            return x;
        }
        long[] torchPads = new long[2 * begin.length];
        for (int i = 0; i < begin.length; i++) {
            int axisFromEnd = begin.length - 1 - i;
            torchPads[2 * axisFromEnd] = begin[i];
            torchPads[2 * axisFromEnd + 1] = end[i];
        }
        return x.pad(new Shape(torchPads), value);
    }

    static long[] filled(int n, long value) {
        long[] a = new long[n];
        Arrays.fill(a, value);
        return a;
    }

    /** The spatial dimensions of an N x C x ... input. */
    static long[] spatial(NDArray x) {
        long[] s = x.getShape().getShape();
        return Arrays.copyOfRange(s, 2, s.length);
    }
}
