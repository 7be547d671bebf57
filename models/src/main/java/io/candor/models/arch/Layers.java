package io.candor.models.arch;

import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.tensor.HostTensor;
import java.util.SplittableRandom;

/**
 * Emits the usual layers into a {@link GraphBuilder} with PyTorch's default initialisation: weights
 * and biases uniform in +-1/sqrt(fan_in) (Kaiming-uniform with a = sqrt(5), as nn.Conv2d and nn.Linear
 * do), from one seeded generator so the same seed gives the same model. {@link #kaimingConv} gives a
 * convolution torchvision's ResNet initialisation instead.
 */
public final class Layers {
    private final GraphBuilder graph;
    private final SplittableRandom random;

    public Layers(GraphBuilder graph, long seed) {
        this.graph = graph;
        this.random = new SplittableRandom(seed);
    }

    public GraphBuilder graph() {
        return graph;
    }

    /** Conv2d(in, out, kernel, stride 1, padding) with bias; {@code name} prefixes its weights. */
    public String conv(String name, String x, int in, int out, int kernel, int padding) {
        int fanIn = in * kernel * kernel;
        String w = graph.initializer(name + ".weight", uniform(fanIn, out, in, kernel, kernel));
        String b = graph.initializer(name + ".bias", uniform(fanIn, out));
        long[] pads = {padding, padding, padding, padding};
        return graph.node("Conv", name, new String[] {x, w, b}, "kernel_shape", new long[] {kernel, kernel},
                "pads", pads, "strides", new long[] {1, 1});
    }

    /**
     * Conv2d(in, out, kernel, stride, padding) initialised as torchvision's ResNet initialises its
     * convolutions: weights from N(0, 2 / (out * kernel * kernel)) (kaiming_normal_ with mode fan_out, for
     * ReLU), and a bias of zeros.
     */
    public String kaimingConv(String name, String x, int in, int out, int kernel, int stride, int padding) {
        double std = Math.sqrt(2.0 / (out * kernel * kernel));
        float[] v = new float[out * in * kernel * kernel];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (std * gaussian());
        }
        String w = graph.initializer(name + ".weight", HostTensor.ofFloats(new long[] {out, in, kernel, kernel}, v));
        String b = graph.initializer(name + ".bias", HostTensor.ofFloats(new long[] {out}, new float[out]));
        long[] pads = {padding, padding, padding, padding};
        return graph.node("Conv", name, new String[] {x, w, b}, "kernel_shape", new long[] {kernel, kernel},
                "pads", pads, "strides", new long[] {stride, stride});
    }

    /** Linear(in, out) as Gemm with transB = 1, the way PyTorch exports it. */
    public String linear(String name, String x, int in, int out) {
        String w = graph.initializer(name + ".weight", uniform(in, out, in));
        String b = graph.initializer(name + ".bias", uniform(in, out));
        return graph.node("Gemm", name, new String[] {x, w, b}, "transB", 1L);
    }

    /**
     * ConvTranspose2d(in, out, kernel, stride, padding, output_padding) with bias; PyTorch takes the
     * fan-in of its weight [in, out, k, k] from the second axis, out * k * k.
     */
    public String convTranspose(String name, String x, int in, int out, int kernel, int stride, int padding,
            int outputPadding) {
        int fanIn = out * kernel * kernel;
        String w = graph.initializer(name + ".weight", uniform(fanIn, in, out, kernel, kernel));
        String b = graph.initializer(name + ".bias", uniform(fanIn, out));
        return graph.node("ConvTranspose", name, new String[] {x, w, b}, "kernel_shape", new long[] {kernel, kernel},
                "pads", new long[] {padding, padding, padding, padding}, "strides", new long[] {stride, stride},
                "output_padding", new long[] {outputPadding, outputPadding});
    }

    /** LeakyReLU with PyTorch's default slope 0.01. */
    public String leakyRelu(String name, String x) {
        return graph.node("LeakyRelu", name, new String[] {x}, "alpha", 0.01f);
    }

    /** Reshape to {@code shape} (0 copies the input's size, -1 is inferred). */
    public String reshape(String name, String x, long... shape) {
        String s = graph.initializer(name + ".shape", HostTensor.ofLongs(new long[] {shape.length}, shape));
        return graph.node("Reshape", name, new String[] {x, s});
    }

    public String relu(String name, String x) {
        return graph.node("Relu", name, new String[] {x});
    }

    public String maxPool(String name, String x, int kernel) {
        return graph.node("MaxPool", name, new String[] {x}, "kernel_shape", new long[] {kernel, kernel},
                "strides", new long[] {kernel, kernel});
    }

    /** The element-wise sum of two tensors of the same shape, such as a residual block and its skip. */
    public String add(String name, String a, String b) {
        return graph.node("Add", name, new String[] {a, b});
    }

    /** The mean over every spatial position, kept as size-1 axes: [N, C, H, W] to [N, C, 1, 1]. */
    public String globalAveragePool(String name, String x) {
        return graph.node("GlobalAveragePool", name, new String[] {x});
    }

    public String averagePool(String name, String x, int kernel) {
        return graph.node("AveragePool", name, new String[] {x}, "kernel_shape", new long[] {kernel, kernel},
                "strides", new long[] {kernel, kernel});
    }

    /** Dropout with PyTorch's default ratio 0.5; the identity unless the executor trains. */
    public String dropout(String name, String x) {
        return graph.node("Dropout", name, new String[] {x});
    }

    public String flatten(String name, String x) {
        return graph.node("Flatten", name, new String[] {x}, "axis", 1L);
    }

    /** An embedding table [vocabulary, dim] from N(0, 1), as nn.Embedding initialises it. */
    public String embeddingTable(String name, int vocabulary, int dim) {
        float[] v = new float[vocabulary * dim];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) gaussian();
        }
        return graph.initializer(name, HostTensor.ofFloats(new long[] {vocabulary, dim}, v));
    }

    /**
     * One forward LSTM layer over a sequence-major input [T, N, in], as PyTorch's exporter writes
     * nn.LSTM: weights W, R and B (W's and R's biases) uniform in +-1/sqrt(hidden). Returns the names
     * of Y [T, 1, N, hidden] and Y_h [1, N, hidden].
     */
    public String[] lstm(String name, String x, int in, int hidden) {
        String w = graph.initializer(name + ".W", uniform(hidden, 1, 4L * hidden, in));
        String r = graph.initializer(name + ".R", uniform(hidden, 1, 4L * hidden, hidden));
        String b = graph.initializer(name + ".B", uniform(hidden, 1, 8L * hidden));
        String[] outputs = {name + ".Y", name + ".Y_h", name + ".Y_c"};
        graph.node("LSTM", outputs, new String[] {x, w, r, b}, "hidden_size", (long) hidden);
        return outputs;
    }

    /** Squeeze with the axes as an input (opset 13 and later). */
    public String squeeze(String name, String x, long... axes) {
        String a = graph.initializer(name + ".axes", HostTensor.ofLongs(new long[] {axes.length}, axes));
        return graph.node("Squeeze", name, new String[] {x, a});
    }

    private double gaussian() {
        // Box-Muller from the one seeded generator.
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /** Uniform in +-1/sqrt(fanIn), the bound PyTorch's default init gives both weights and biases. */
    private HostTensor uniform(int fanIn, long... shape) {
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] v = new float[Math.toIntExact(HostTensor.elementCount(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return HostTensor.ofFloats(shape, v);
    }
}
