package io.candor.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.candor.finetune.penalty.Cdep;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.arch.Layers;
import io.candor.models.data.DatasetSplit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrozenPrefixTest {
    /** Conv(1->4,3)-Relu-MaxPool (the frozen prefix, up to "pool") then Flatten-FC-Relu-Dropout-FC on 1 x 8 x 8. */
    static OnnxModel smallCnn() {
        GraphBuilder g = new GraphBuilder("small-cnn", 13);
        Layers l = new Layers(g, 3);
        String x = g.input("input", DataType.FLOAT32, -1, 1, 8, 8);
        String h = l.maxPool("pool", l.relu("relu1", l.conv("conv", x, 1, 4, 3, 0)), 2);
        h = l.dropout("drop", l.relu("relu2", l.linear("fc1", l.flatten("flat", h), 36, 16)));
        g.output(l.linear("fc2", h, 16, 3), DataType.FLOAT32, -1, 3);
        return g.buildModel();
    }

    /**
     * Images whose class shows as a bright corner pixel (the spurious feature) and as a row of the
     * image; every sample but each fourth is marked, so some batches mix marked and unmarked samples.
     */
    static DatasetSplit split(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * 64];
        float[] mask = new float[n * 64];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            y[i] = c;
            for (int p = 0; p < 64; p++) {
                x[i * 64 + p] = (float) r.nextGaussian() * 0.3f + (p / 8 == 2 + 2 * c ? 1 : 0);
            }
            x[i * 64] = c;
            mask[i * 64] = i % 4 == 3 ? 0 : 1;
        }
        return new DatasetSplit(HostTensor.ofFloats(new long[] {n, 1, 8, 8}, x), HostTensor.ofLongs(new long[] {n}, y),
                HostTensor.ofFloats(new long[] {n, 1, 8, 8}, mask));
    }

    private static final TrainingConfig CONFIG = new TrainingConfig(2, 16, 0.01f, "adam", 0.9f, 1e-4f, 5, 0, "pool", null);

    /** The weights after training on the splits, fed at the input or, with a prefix, at the cut. */
    private static Map<String, HostTensor> trained(boolean cached, List<EpochMetrics> metrics) {
        DatasetSplit train = split(80, 1);
        DatasetSplit val = split(24, 2);
        try (Executor ex = Executor.of(smallCnn());
                Trainer trainer = new Trainer(ex, CONFIG, new Objective(new Cdep(), 2f))) {
            if (cached) {
                FrozenPrefix prefix = new FrozenPrefix(ex, "pool", null, line -> { });
                try (TrainingData t = prefix.batches(train, "train", true, CONFIG.batchSize());
                        TrainingData v = prefix.batches(val, "val", true, CONFIG.batchSize())) {
                    metrics.addAll(trainer.train(t, v, null, new Trainer.Listener() { }).epochs());
                }
            } else {
                metrics.addAll(trainer.train(train, val, null, new Trainer.Listener() { }).epochs());
            }
            return ex.initializerValues();
        }
    }

    @Test
    void trainingFromTheCachedPrefixGivesTheWeightsOfTrainingFromTheInput() {
        List<EpochMetrics> plain = new ArrayList<>();
        List<EpochMetrics> cached = new ArrayList<>();
        Map<String, HostTensor> a = trained(false, plain);
        Map<String, HostTensor> b = trained(true, cached);
        double moved = 0;
        Map<String, HostTensor> start;
        try (Executor ex = Executor.of(smallCnn())) {
            start = ex.initializerValues();
        }
        for (String name : a.keySet()) {
            float[] wa = a.get(name).toFloatArray();
            float[] wb = b.get(name).toFloatArray();
            float[] w0 = start.get(name).toFloatArray();
            for (int i = 0; i < wa.length; i++) {
                assertEquals(wa[i], wb[i], 2e-5 + 2e-4 * Math.abs(wa[i]), name + "[" + i + "]");
                moved = Math.max(moved, Math.abs(wa[i] - w0[i]));
            }
        }
        assertTrue(moved > 1e-2, "training moved the weights after the cut: " + moved);
        assertTrue(java.util.Arrays.equals(a.get("conv.weight").toFloatArray(), start.get("conv.weight").toFloatArray()),
                "the prefix stays frozen");
        for (int e = 0; e < plain.size(); e++) {
            assertEquals(plain.get(e).penalty(), cached.get(e).penalty(), 1e-5, "penalty of epoch " + (e + 1));
            assertEquals(plain.get(e).biasScore(), cached.get(e).biasScore(), 1e-5, "bias score of epoch " + (e + 1));
            assertTrue(plain.get(e).penalty() > 0);
        }
    }

    @Test
    void aCacheFolderIsReusedForTheSameModelDataAndCutAndNotOtherwise(@TempDir Path dir) throws Exception {
        DatasetSplit train = split(40, 1);
        List<String> log = new ArrayList<>();
        float[] first;
        try (Executor ex = Executor.of(smallCnn()); NDManager m = Engines.newManager()) {
            FrozenPrefix prefix = new FrozenPrefix(ex, "pool", dir, log::add);
            try (CachedBatches a = prefix.batches(train, "train", true, 8)) {
                first = a.get(m, a.order(null), 1).cdStart().value().relevant().toFloatArray();
            }
            try (CachedBatches b = prefix.batches(train, "train", true, 8)) {
                float[] again = b.get(m, b.order(null), 1).cdStart().value().relevant().toFloatArray();
                assertTrue(java.util.Arrays.equals(first, again));
            }
            assertTrue(log.get(0).contains("computed") && log.get(1).contains("read"), log.toString());
            // Another prefix weight is another prefix: computed again, in a folder of its own.
            ex.weight("conv.bias").addi(0.5f);
            new FrozenPrefix(ex, "pool", dir, log::add).batches(train, "train", true, 8).close();
            assertTrue(log.get(2).contains("computed"), log.toString());
        }
        try (var folders = Files.list(dir)) {
            assertEquals(2, folders.count());
        }
        // A damaged cache is computed again, not trusted.
        Path folder = Path.of(log.get(0).substring(log.get(0).indexOf("cached in ") + "cached in ".length()));
        Files.write(folder.resolve("values.npy"), new byte[] {1, 2, 3});
        try (Executor ex = Executor.of(smallCnn())) {
            new FrozenPrefix(ex, "pool", dir, log::add).batches(train, "train", true, 8).close();
        }
        assertTrue(log.get(3).contains("unreadable") && log.get(4).contains("computed"), log.toString());
    }

    @Test
    void theMarkedSamplesAloneCarryADecompositionAndItAddsUpAtTheCut() {
        DatasetSplit train = split(12, 1);
        try (Executor ex = Executor.of(smallCnn()); NDManager m = Engines.newManager()) {
            try (CachedBatches c = new FrozenPrefix(ex, "pool", null, line -> { }).batches(train, "train", true, 12)) {
                Batch batch = c.get(m, c.order(null), 0);
                assertEquals(9, batch.cdStart().samples(), "samples 3, 7 and 11 carry an empty mask");
                // The stored total at the cut is what the model computes there.
                float[] direct = ex.run(m, Map.of("input", train.x().toNDArray(m)), List.of("pool")).get("pool").toFloatArray();
                float[] stored = batch.feeds().get("pool").toFloatArray();
                for (int i = 0; i < direct.length; i++) {
                    assertEquals(direct[i], stored[i], 1e-6);
                }
            }
            try (CachedBatches c = new FrozenPrefix(ex, "pool", null, line -> { }).batches(train, "train", false, 12)) {
                assertNull(c.get(m, c.order(null), 0).cdStart(), "not decomposed when not asked");
            }
        }
    }

    @Test
    void aCutThatAPathGoesAroundCannotStandInForThePrefix() {
        GraphBuilder g = new GraphBuilder("skip", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 4);
        String h = g.node("Relu", "h", new String[] {x});
        g.output(g.node("Add", "y", new String[] {h, x}), DataType.FLOAT32, -1, 4);
        try (Executor ex = Executor.of(g.buildModel())) {
            assertTrue(FrozenPrefix.whyNot(ex, "h").contains("[x]"), FrozenPrefix.whyNot(ex, "h"));
            assertTrue(FrozenPrefix.whyNot(ex, "x").contains("input"));
            CandorException e = assertThrows(CandorException.class, () -> new FrozenPrefix(ex, "h", null, line -> { }));
            assertTrue(e.getMessage().contains("cannot be cached"));
        }
    }
}
