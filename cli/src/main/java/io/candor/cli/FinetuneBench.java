package io.candor.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.finetune.FrozenPrefix;
import io.candor.finetune.InputBatches;
import io.candor.finetune.Objective;
import io.candor.finetune.Trainer;
import io.candor.finetune.TrainingConfig;
import io.candor.finetune.TrainingData;
import io.candor.finetune.penalty.Penalty;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.models.data.DatasetSplit;
import io.candor.models.data.DecoyDigits;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code candor bench finetune}: the time of one training step of the MNIST CNN at batch 64 with Adam,
 * per penalty, on the whole network and with everything up to the flattened convolution features frozen
 * and served from the prefix cache. The configurations take turns step by step, so a slow spell of a
 * shared machine slows all of them alike and the ratios hold.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Times one training step (forward, objective, backward, Adam update; batch 64, the MNIST CNN,",
            "decoy digits with the four 5x5 corners marked spurious, lambda 1) for each penalty: on the whole",
            "network, and with the cut at 'flatten' (after the convolutions) so that the layers after it train",
            "from the cached frozen prefix (rrr and eg differentiate through the prefix: they run from the input).",
            "Ratios are to the plain step on the whole network. --reference adds",
            "the figures tests/python/bench_finetune_step.py --json measured for the reference code."})
final class FinetuneBench implements Callable<Integer> {
    private static final int BATCH = 64;
    private static final String CUT = "flatten";

    @Option(names = "--iterations", defaultValue = "40", description = "Timed steps of each configuration (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--warmup", defaultValue = "5", description = "Untimed steps of each first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--penalties", split = ",", defaultValue = "none,cdep,rrr", paramLabel = "P[,P...]",
            description = "Penalties to time (default ${DEFAULT-VALUE}).")
    List<String> penalties;

    @Option(names = "--reference", paramLabel = "FILE.json",
            description = "Reference timings from tests/python/bench_finetune_step.py --json, printed alongside.")
    Path reference;

    @Option(names = "--profile", paramLabel = "TRACE.json",
            description = {"Then run each configuration's steps again under libtorch's profiler and write one Chrome",
                "trace (chrome://tracing, Perfetto) per configuration: TRACE-PENALTY-whole.json, TRACE-PENALTY-cached.json."})
    Path profile;

    @Spec
    CommandSpec spec;

    /** One timed configuration: its own model, trainer and batch source. */
    private record Setup(String penalty, boolean cached, Executor executor, Trainer trainer, TrainingData data)
            implements AutoCloseable {
        static Setup of(String penalty, boolean cached, DatasetSplit split) {
            TrainingConfig config = new TrainingConfig(1, BATCH, 1e-3f, "adam", 0.9f, 1e-4f, 0, 0, cached ? CUT : null, null);
            Objective objective = new Objective(Penalty.named(penalty), penalty.equals("none") ? 0 : 1);
            Executor executor = Executor.of(BenchCommand.ExecutorBench.load("mnist-cnn"));
            Trainer trainer = new Trainer(executor, config, objective);
            // A penalty on the input gradient differentiates through the prefix, so it cannot start at the cut.
            boolean fromCut = cached && (objective.penalty() == null || !objective.penalty().needsInput());
            TrainingData data = fromCut
                    ? new FrozenPrefix(executor, CUT, null, line -> { }).batches(split, "bench", objective.penalty() != null, BATCH)
                    : new InputBatches(split, executor.singleInput(), BATCH);
            trainer.prepare(true);
            return new Setup(penalty, cached, executor, trainer, data);
        }

        double step() {
            long start = System.nanoTime();
            try (NDManager step = Engines.newManager()) {
                trainer.step(data.get(step, data.order(null), 0));
            }
            return (System.nanoTime() - start) / 1e6;
        }

        @Override
        public void close() {
            trainer.prepare(false);
            data.close();
            trainer.close();
            executor.close();
        }
    }

    @Override
    public Integer call() {
        OptionChecks.of(spec).positive("--iterations", iterations).nonNegative("--warmup", warmup);
        penalties.forEach(p -> OptionChecks.of(spec).oneOf("--penalties", p, Penalty.NAMES));
        JsonNode ref = reference == null ? null : readReference();
        DatasetSplit split = new DecoyDigits().split(BATCH, 0, false, true);
        List<Setup> setups = new ArrayList<>();
        try {
            for (String penalty : penalties) {
                setups.add(Setup.of(penalty, false, split));
                setups.add(Setup.of(penalty, true, split));
            }
            double[] medians = time(setups);
            print(setups, medians, ref);
            if (profile != null) {
                profile(setups);
            }
        } finally {
            setups.forEach(Setup::close);
        }
        return 0;
    }

    /** The median step of each setup, the setups taking turns. */
    private double[] time(List<Setup> setups) {
        for (int i = 0; i < warmup; i++) {
            setups.forEach(Setup::step);
        }
        double[][] ms = new double[setups.size()][iterations];
        for (int i = 0; i < iterations; i++) {
            for (int s = 0; s < setups.size(); s++) {
                ms[s][i] = setups.get(s).step();
            }
        }
        double[] medians = new double[setups.size()];
        for (int s = 0; s < setups.size(); s++) {
            Arrays.sort(ms[s]);
            medians[s] = ms[s][iterations / 2];
        }
        return medians;
    }

    /** The setups' steps once more under libtorch's profiler, one trace per setup. */
    private void profile(List<Setup> setups) {
        String prefix = profile.toAbsolutePath().toString().replaceFirst("\\.json$", "");
        for (Setup setup : setups) {
            String trace = prefix + "-" + setup.penalty() + "-" + (setup.cached() ? "cached" : "whole") + ".json";
            JniUtils.startProfile(false, true, false);
            try {
                for (int i = 0; i < iterations; i++) {
                    setup.step();
                }
            } finally {
                JniUtils.stopProfile(trace);
            }
            spec.commandLine().getOut().println("profile: " + trace);
        }
    }

    private void print(List<Setup> setups, double[] medians, JsonNode ref) {
        PrintWriter out = spec.commandLine().getOut();
        double plain = Double.NaN;
        for (int s = 0; s < setups.size(); s++) {
            if (setups.get(s).penalty().equals("none") && !setups.get(s).cached()) {
                plain = medians[s];
            }
        }
        out.printf("%-8s %-26s %10s %9s%s%n", "penalty", "trains", "step (ms)", "x plain",
                ref == null ? "" : String.format(" %16s %9s", "reference (ms)", "x plain"));
        double refPlain = ref == null ? Double.NaN : ref.path("none").path("whole").asDouble(Double.NaN);
        for (int s = 0; s < setups.size(); s++) {
            Setup setup = setups.get(s);
            String refColumns = "";
            if (ref != null) {
                JsonNode r = ref.path(setup.penalty()).path(setup.cached() ? "cached" : "whole");
                refColumns = r.isMissingNode() ? String.format(" %16s %9s", "-", "-")
                        : String.format(" %16.2f %9.2f", r.asDouble(), r.asDouble() / refPlain);
            }
            out.printf("%-8s %-26s %10.2f %9.2f%s%n", setup.penalty(),
                    !setup.cached() ? "whole network" : setup.data() instanceof InputBatches ? "after '" + CUT + "' (from input)"
                            : "after '" + CUT + "' (cached)", medians[s], medians[s] / plain, refColumns);
        }
        out.printf("(Candor: DJL %s, PyTorch engine, %d threads; medians of %d interleaved steps each)%n",
                ai.djl.engine.Engine.getDjlVersion(), Engines.threads(), iterations);
        if (ref != null) {
            out.printf("(reference: %s)%n", ref.path("about").asText("tests/python/bench_finetune_step.py"));
        }
    }

    private JsonNode readReference() {
        try {
            return new ObjectMapper().readTree(reference.toFile());
        } catch (IOException e) {
            throw new CandorException("cannot read " + reference + ": " + e.getMessage(), e);
        }
    }
}
