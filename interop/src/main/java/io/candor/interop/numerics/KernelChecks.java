package io.candor.interop.numerics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The checks of {@code candor doctor}: each kernel that libtorch may hand to oneDNN or a BLAS, as
 * Candor runs it, against plain Java loops on small problems.
 */
public final class KernelChecks {
    private KernelChecks() {
    }

    /** Candor's convolution, matrix product, pooling and LSTM. */
    public static List<CheckResult> candorKernels() {
        List<CheckResult> results = new ArrayList<>(ConvolutionCheck.run(ConvolutionCheck.CANDOR, ConvolutionCheck.STANDARD));
        results.addAll(ConvolutionCheck.run(ConvolutionCheck.CANDOR, ConvolutionCheck.STANDARD, false));
        results.addAll(matMul(5, 37, 21));
        results.addAll(matMul(64, 50, 20));
        results.addAll(pooling(true, 2, 2));
        results.addAll(pooling(true, 3, 2));
        results.addAll(pooling(false, 3, 2));
        results.add(lstm(5, "forward"));
        results.add(lstm(16, "bidirectional"));
        results.add(lstm(20, "reverse"));
        return results;
    }

    /** libtorch's convolution as it is: what Candor would compute without its channel padding. */
    public static List<CheckResult> libtorchConvolution() {
        return ConvolutionCheck.run(ConvolutionCheck.LIBTORCH, ConvolutionCheck.STANDARD);
    }

    /** [n, k] x [k, m] and both gradients. */
    static List<CheckResult> matMul(int n, int k, int m) {
        Random random = new Random(n * 31L + k);
        float[] a = AutogradProbe.random(random, n * k);
        float[] b = AutogradProbe.random(random, k * m);
        float[] gy = AutogradProbe.random(random, n * m);
        List<float[]> got = AutogradProbe.run(in -> in.get(0).matMul(in.get(1)), gy,
                new AutogradProbe.Input(a, n, k), new AutogradProbe.Input(b, k, m));
        double[] y = new double[n * m];
        double[] da = new double[n * k];
        double[] db = new double[k * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                for (int l = 0; l < k; l++) {
                    y[i * m + j] += (double) a[i * k + l] * b[l * m + j];
                    da[i * k + l] += (double) gy[i * m + j] * b[l * m + j];
                    db[l * m + j] += (double) a[i * k + l] * gy[i * m + j];
                }
            }
        }
        String what = "MatMul " + n + "x" + k + " by " + k + "x" + m;
        return List.of(
                CheckResult.compare(what + ": forward", got.get(0), LoopConvolution.toFloats(y), ConvolutionCheck.TOLERANCE),
                CheckResult.compare(what + ": gradient of A", got.get(1), LoopConvolution.toFloats(da), ConvolutionCheck.TOLERANCE),
                CheckResult.compare(what + ": gradient of B", got.get(2), LoopConvolution.toFloats(db), ConvolutionCheck.TOLERANCE));
    }

    /** Max or average pooling of [2, 20, 9, 9] (20 channels: not whole oneDNN blocks) and its input gradient. */
    static List<CheckResult> pooling(boolean max, int kernel, int stride) {
        int[] xs = {2, 20, 9, 9};
        Random random = new Random(kernel * 17L + (max ? 1 : 0));
        float[] x = AutogradProbe.random(random, xs[0] * xs[1] * xs[2] * xs[3]);
        LoopPooling loops = new LoopPooling(xs, kernel, stride, max);
        float[] gy = AutogradProbe.random(random, loops.outputSize());
        ai.djl.ndarray.types.Shape k = new ai.djl.ndarray.types.Shape(kernel, kernel);
        ai.djl.ndarray.types.Shape s = new ai.djl.ndarray.types.Shape(stride, stride);
        ai.djl.ndarray.types.Shape none = new ai.djl.ndarray.types.Shape(0, 0);
        List<float[]> got = AutogradProbe.run(in -> max ? in.get(0).getNDArrayInternal().maxPool(k, s, none, false)
                : in.get(0).getNDArrayInternal().avgPool(k, s, none, false, true), gy,
                new AutogradProbe.Input(x, 2, 20, 9, 9));
        String what = (max ? "MaxPool " : "AveragePool ") + kernel + "x" + kernel + ", stride " + stride + ", 20 channels";
        return List.of(CheckResult.compare(what + ": forward", got.get(0), loops.forward(x), ConvolutionCheck.TOLERANCE),
                CheckResult.compare(what + ": input gradient", got.get(1), loops.inputGradient(x, gy), ConvolutionCheck.TOLERANCE));
    }

    /** The executor's LSTM kernel on a one-node graph: sequence 6, batch 3, 7 features, with initial states. */
    static CheckResult lstm(int hidden, String direction) {
        int steps = 6, batch = 3, in = 7;
        int dirs = direction.equals("bidirectional") ? 2 : 1;
        Random random = new Random(hidden);
        float[] x = AutogradProbe.random(random, steps * batch * in);
        float[] w = AutogradProbe.random(random, dirs * 4 * hidden * in);
        float[] r = AutogradProbe.random(random, dirs * 4 * hidden * hidden);
        float[] b = AutogradProbe.random(random, dirs * 8 * hidden);
        float[] h0 = AutogradProbe.random(random, dirs * batch * hidden);
        float[] c0 = AutogradProbe.random(random, dirs * batch * hidden);
        GraphBuilder g = new GraphBuilder("lstm-check", 14);
        String[] inputs = {
            g.initializer("x", HostTensor.ofFloats(new long[] {steps, batch, in}, x)),
            g.initializer("w", HostTensor.ofFloats(new long[] {dirs, 4 * hidden, in}, w)),
            g.initializer("r", HostTensor.ofFloats(new long[] {dirs, 4 * hidden, hidden}, r)),
            g.initializer("b", HostTensor.ofFloats(new long[] {dirs, 8 * hidden}, b)), "",
            g.initializer("h0", HostTensor.ofFloats(new long[] {dirs, batch, hidden}, h0)),
            g.initializer("c0", HostTensor.ofFloats(new long[] {dirs, batch, hidden}, c0))};
        g.node("LSTM", new String[] {"y"}, inputs, "hidden_size", (long) hidden, "direction", direction);
        g.output("y", DataType.FLOAT32);
        float[] got;
        try (Executor ex = Executor.of(g.buildModel()); NDManager m = Engines.newManager()) {
            NDArray y = ex.run(m, Map.of(), List.of("y")).get("y");
            got = y.toFloatArray();
        }
        // Y is [steps, dirs, batch, hidden]; the loops give one direction at a time.
        float[] expected = new float[got.length];
        int block = batch * hidden;
        for (int d = 0; d < dirs; d++) {
            float[][] ref = LoopLstm.run(x, steps, batch, in, slice(w, d, dirs), slice(r, d, dirs), slice(b, d, dirs),
                    slice(h0, d, dirs), slice(c0, d, dirs), hidden, direction.equals("reverse") || d == 1);
            for (int t = 0; t < steps; t++) {
                System.arraycopy(ref[0], t * block, expected, (t * dirs + d) * block, block);
            }
        }
        return CheckResult.compare("LSTM hidden " + hidden + ", " + direction + ": forward", got, expected,
                ConvolutionCheck.TOLERANCE);
    }

    private static float[] slice(float[] a, int d, int dirs) {
        int n = a.length / dirs;
        return java.util.Arrays.copyOfRange(a, d * n, (d + 1) * n);
    }
}
