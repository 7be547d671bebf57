package io.candor.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.ort.OrtModel;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.arch.MnistCnn;
import io.candor.models.arch.Vgg16;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code candor bench}: timings that the speed targets are measured with. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures Candor's speed. Figures are medians over the timed iterations.",
        subcommands = {BenchCommand.ExecutorBench.class, BenchCommand.AttributionBench.class, BenchCommand.TrainBench.class, InterpretBench.class,
            FinetuneBench.class, SparkBench.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "executor", mixinStandardHelpOptions = true,
            description = {"Times the DJL executor's forward pass and forward+backward (gradient of the summed",
                "logits with respect to the input) and ONNX Runtime's forward pass, on the same batch.",
                "Without --model it runs the MNIST CNN at batch 64 and VGG16 (full width, 224x224) at batch 8,",
                "both built with random weights by Candor's own graph builder."})
    static final class ExecutorBench implements Callable<Integer> {
        @Option(names = "--model", paramLabel = "mnist-cnn|vgg16|FILE",
                description = "A built-in architecture or an .onnx file (default: both built-ins).")
        String model;

        @Option(names = "--batch", description = "Batch size (default: 64 for mnist-cnn, 8 for vgg16, 1 for a file).")
        Integer batch;

        @Option(names = "--iterations", defaultValue = "10", description = "Timed iterations (default ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--warmup", defaultValue = "3", description = "Untimed warm-up iterations (default ${DEFAULT-VALUE}).")
        int warmup;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            OptionChecks.of(spec).positive("--iterations", iterations).nonNegative("--warmup", warmup)
                    .positive("--batch", batch == null ? 1 : batch);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-12s %6s %14s %18s %14s%n", "model", "batch", "djl fwd (ms)", "djl fwd+bwd (ms)", "ort fwd (ms)");
            List<String> models = model == null ? List.of("mnist-cnn", "vgg16") : List.of(model);
            for (String m : models) {
                OnnxModel onnx = load(m);
                int n = batch != null ? batch : m.equals("mnist-cnn") ? 64 : m.equals("vgg16") ? 8 : 1;
                long[] shape = onnx.graph().inputs().get(0).concreteShape(n);
                shape[0] = n;
                HostTensor input = randomInput(shape);
                double[] djl = timeExecutor(onnx, input);
                double ort = timeOrt(onnx, input);
                out.printf("%-12s %6d %14.1f %18.1f %14.1f%n", m, n, djl[0], djl[1], ort);
                out.flush();
            }
            return 0;
        }

        static OnnxModel load(String name) {
            return switch (name) {
                case "mnist-cnn" -> OnnxReader.fromProto(MnistCnn.build(0), null);
                case "vgg16" -> OnnxReader.fromProto(Vgg16.build(1, 224, 1000, 0), null);
                default -> OnnxReader.read(Path.of(name));
            };
        }

        private double[] timeExecutor(OnnxModel onnx, HostTensor input) {
            try (Executor executor = Executor.of(onnx)) {
                String in = executor.singleInput();
                String out = executor.graph().outputs().get(0).name();
                double forward = median(() -> {
                    try (NDManager batch = Engines.newManager()) {
                        executor.forward(batch, input.toNDArray(batch));
                    }
                });
                double backward = median(() -> {
                    try (NDManager batch = Engines.newManager()) {
                        NDArray x = input.toNDArray(batch);
                        Shape outShape = new Shape(input.shape()[0], executor.graph().outputs().get(0).concreteShape(1)[1]);
                        executor.gradients(batch, Map.of(in, x), out, batch.ones(outShape), List.of(in));
                    }
                });
                return new double[] {forward, backward};
            }
        }

        private double timeOrt(OnnxModel onnx, HostTensor input) {
            try (OrtModel ort = OrtModel.open(onnx)) {
                String in = onnx.graph().inputs().get(0).name();
                return median(() -> ort.run(Map.of(in, input)));
            }
        }

        double median(Runnable body) {
            for (int i = 0; i < warmup; i++) {
                body.run();
            }
            double[] ms = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                long t = System.nanoTime();
                body.run();
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
            Arrays.sort(ms);
            return ms[iterations / 2];
        }

        static HostTensor randomInput(long[] shape) {
            Random r = new Random(0);
            float[] v = new float[Math.toIntExact(HostTensor.elementCount(shape))];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            return HostTensor.ofFloats(shape, v);
        }
    }

    @Command(name = "attribution", mixinStandardHelpOptions = true,
            description = {"Times the attribution methods against a plain forward pass on the same batch: CD (a",
                "mask over the left half), DeepLIFT, saliency and integrated gradients (64 steps). Without",
                "--model: the MNIST CNN at batch 64 and VGG16 (full width, 224x224) at batch 4."})
    static final class AttributionBench implements Callable<Integer> {
        @Option(names = "--model", paramLabel = "mnist-cnn|vgg16|FILE", description = "A built-in architecture or an .onnx file.")
        String model;

        @Option(names = "--batch", description = "Batch size (default: 64 for mnist-cnn, 4 for vgg16, 1 for a file).")
        Integer batch;

        @Option(names = "--iterations", defaultValue = "5", description = "Timed iterations (default ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--steps", defaultValue = "64", description = "Integrated-gradients steps (default ${DEFAULT-VALUE}).")
        int steps;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            OptionChecks.of(spec).positive("--iterations", iterations).positive("--batch", batch == null ? 1 : batch);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-10s %5s %10s %10s %10s %10s %12s %8s%n", "model", "batch", "fwd (ms)", "cd (ms)", "dl (ms)",
                    "sal (ms)", "ig" + steps + " (ms)", "cd/fwd");
            ExecutorBench timer = new ExecutorBench();
            timer.iterations = iterations;
            timer.warmup = 1;
            for (String m : model == null ? List.of("mnist-cnn", "vgg16") : List.of(model)) {
                OnnxModel onnx = ExecutorBench.load(m);
                int n = batch != null ? batch : m.equals("mnist-cnn") ? 64 : m.equals("vgg16") ? 4 : 1;
                long[] shape = onnx.graph().inputs().get(0).concreteShape(n);
                shape[0] = n;
                HostTensor input = ExecutorBench.randomInput(shape);
                try (Executor executor = Executor.of(onnx)) {
                    io.candor.attribution.ExecutorModel target = io.candor.attribution.ExecutorModel.of(executor);
                    io.candor.attribution.cd.ContextualDecomposition cd = new io.candor.attribution.cd.ContextualDecomposition(executor);
                    long[] targets = new long[n];
                    double forward = timer.median(() -> run(batch -> executor.forward(batch, input.toNDArray(batch))));
                    double cdTime = timer.median(() -> run(batch -> {
                        NDArray x = input.toNDArray(batch);
                        long w = shape[shape.length - 1];
                        NDArray mask = batch.arange(0, (int) w, 1, ai.djl.ndarray.types.DataType.FLOAT32).lt(w / 2f)
                                .toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                        cd.decompose(batch, Map.of(target.input(), x), target.input(), mask, target.output());
                    }));
                    double dl = timer.median(() -> run(batch -> new io.candor.attribution.deeplift.DeepLift(null)
                            .attribute(target, batch, input.toNDArray(batch), targets)));
                    double sal = timer.median(() -> run(batch -> new io.candor.attribution.methods.Saliency(false)
                            .attribute(target, batch, input.toNDArray(batch), targets)));
                    double ig = timer.median(() -> run(batch -> new io.candor.attribution.methods.IntegratedGradients(null,
                            io.candor.attribution.methods.Quadrature.trapezoid(steps), 64)
                            .attribute(target, batch, input.toNDArray(batch), targets)));
                    out.printf("%-10s %5d %10.1f %10.1f %10.1f %10.1f %12.1f %8.2f%n", m, n, forward, cdTime, dl, sal, ig,
                            cdTime / forward);
                    out.flush();
                }
            }
            return 0;
        }

        private static void run(java.util.function.Consumer<NDManager> body) {
            try (NDManager batch = Engines.newManager()) {
                body.accept(batch);
            }
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = {"Times one training step of the MNIST CNN at batch 64 with Adam (forward, cross-entropy,",
                "backward, optimizer update), the figure to compare with tests/python/bench_train_step.py."})
    static final class TrainBench implements Callable<Integer> {
        @Option(names = "--iterations", defaultValue = "50", description = "Timed steps (default ${DEFAULT-VALUE}).")
        int iterations;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            OptionChecks.of(spec).positive("--iterations", iterations);
            int n = 64;
            HostTensor x = ExecutorBench.randomInput(new long[] {n, 1, 28, 28});
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                labels[i] = i % 10;
            }
            try (Executor executor = Executor.of(ExecutorBench.load("mnist-cnn")); NDManager batch = Engines.newManager();
                    io.candor.finetune.Trainer trainer = new io.candor.finetune.Trainer(executor, new io.candor.finetune.TrainingConfig(
                            1, n, 1e-3f, "adam", 0.9f, 1e-4f, 0, 0, null, null))) {
                NDArray xs = x.toNDArray(batch);
                NDArray ys = batch.create(labels);
                trainer.prepare(true);
                ExecutorBench timer = new ExecutorBench();
                timer.iterations = iterations;
                timer.warmup = 10;
                double ms = timer.median(() -> {
                    try (NDManager step = batch.newSubManager()) {
                        trainer.step(step, xs, ys);
                    }
                });
                trainer.prepare(false);
                spec.commandLine().getOut().printf("candor (DJL %s, PyTorch engine): median training step %.2f ms (batch 64, Adam)%n",
                        ai.djl.engine.Engine.getDjlVersion(), ms);
            }
            return 0;
        }
    }
}
