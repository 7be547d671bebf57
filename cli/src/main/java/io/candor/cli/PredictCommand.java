package io.candor.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.onnx.ValueInfo;
import io.candor.interop.ort.OrtModel;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code candor predict}: a model's outputs for inputs given as .npy files. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Runs a model on .npy inputs and writes its outputs as .npy.", "",
            "Both engines give the same numbers (to float rounding); 'ort' is the faster, 'djl' is the",
            "differentiable executor that the explanation and fine-tuning commands use."})
final class PredictCommand implements Callable<Integer> {
    /** Predictions printed on the terminal; the file has them all. */
    private static final int PRINTED = 20;

    enum Engine { ort, djl }

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "[NAME=]X.npy",
            description = {"Input tensor (float32 NCHW images, int64 token ids, ...).",
                "Repeat as NAME=FILE for models with several inputs."})
    List<String> inputs = new ArrayList<>();

    @Option(names = "--engine", defaultValue = "ort", paramLabel = "ort|djl",
            description = "ONNX Runtime (ort, default) or Candor's DJL/PyTorch executor (djl).")
    Engine engine;

    @Option(names = "--out", required = true, paramLabel = "Y.npy",
            description = {"Where to write the first output. Further outputs of the model go next to it",
                "as Y.<output name>.npy."})
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        OnnxModel onnx = OnnxReader.read(model);
        Map<String, HostTensor> feeds = readInputs(onnx);
        long start = System.nanoTime();
        Map<String, HostTensor> outputs = engine == Engine.ort ? runOrt(onnx, feeds) : runDjl(onnx, feeds);
        double ms = (System.nanoTime() - start) / 1e6;
        PrintWriter pw = spec.commandLine().getOut();
        outputs.forEach((name, value) -> value.requireFiniteResult("output '" + name + "'"));
        boolean first = true;
        for (Map.Entry<String, HostTensor> e : outputs.entrySet()) {
            Path file = first ? out : siblingFor(out, e.getKey());
            Npy.write(file, e.getValue());
            pw.printf("wrote %s: output '%s' %s %s%n", file, e.getKey(), e.getValue().type().name().toLowerCase(),
                    Arrays.toString(e.getValue().shape()));
            first = false;
        }
        HostTensor y = outputs.values().iterator().next();
        if (y.rank() == 2 && y.type().isFloating()) {
            int[] top = argmaxRows(y);
            String shown = Arrays.toString(Arrays.copyOf(top, Math.min(top.length, PRINTED)));
            pw.printf("top class per sample: %s%n", top.length <= PRINTED ? shown
                    : shown.substring(0, shown.length() - 1) + ", ... (" + top.length + " samples; all in the file)]");
        }
        pw.printf("engine %s, %.1f ms%n", engine, ms);
        pw.flush();
        return 0;
    }

    private Map<String, HostTensor> readInputs(OnnxModel onnx) {
        List<ValueInfo> declared = onnx.graph().inputs();
        Map<String, HostTensor> feeds = new LinkedHashMap<>();
        for (String spec : inputs) {
            int eq = spec.indexOf('=');
            String name;
            Path file;
            if (eq > 0) {
                name = spec.substring(0, eq);
                file = Path.of(spec.substring(eq + 1));
                onnx.graph().input(name);
            } else {
                if (declared.size() != 1) {
                    throw new CandorException("the model has inputs " + declared.stream().map(ValueInfo::name).toList()
                            + "; give each as --input NAME=FILE.npy");
                }
                name = declared.get(0).name();
                file = Path.of(spec);
            }
            feeds.put(name, Npy.read(file).requireFinite(file.toString()));
        }
        for (ValueInfo v : declared) {
            if (!feeds.containsKey(v.name())) {
                throw new CandorException("no value given for the model input '" + v.name() + "'");
            }
        }
        return feeds;
    }

    private static Map<String, HostTensor> runOrt(OnnxModel onnx, Map<String, HostTensor> feeds) {
        try (OrtModel ort = OrtModel.open(onnx)) {
            return ort.run(feeds);
        }
    }

    private static Map<String, HostTensor> runDjl(OnnxModel onnx, Map<String, HostTensor> feeds) {
        try (Executor executor = Executor.of(onnx); NDManager batch = Engines.newManager()) {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            feeds.forEach((name, t) -> arrays.put(name, t.toNDArray(batch)));
            List<String> names = onnx.graph().outputs().stream().map(ValueInfo::name).toList();
            Map<String, HostTensor> result = new LinkedHashMap<>();
            executor.run(batch, arrays, names).forEach((name, a) -> result.put(name, HostTensor.of(a)));
            return result;
        }
    }

    static Path siblingFor(Path first, String outputName) {
        String file = first.getFileName().toString();
        String stem = file.endsWith(".npy") ? file.substring(0, file.length() - 4) : file;
        return first.resolveSibling(stem + "." + outputName.replaceAll("[^A-Za-z0-9._-]", "_") + ".npy");
    }

    static int[] argmaxRows(HostTensor y) {
        long[] s = y.shape();
        float[] v = y.toFloatArray();
        int[] top = new int[(int) s[0]];
        for (int r = 0; r < s[0]; r++) {
            int best = 0;
            for (int c = 1; c < s[1]; c++) {
                if (v[(int) (r * s[1] + c)] > v[(int) (r * s[1] + best)]) {
                    best = c;
                }
            }
            top[r] = best;
        }
        return top;
    }
}
