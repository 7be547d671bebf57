package io.candor.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.testing.Arrays2;
import io.candor.models.data.DatasetSplit;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainerTest {
    /** x [N,2] -> Gemm(2->8) -> Relu -> Gemm(8->2), with small seeded weights. */
    static OnnxModel mlp() {
        return mlp(false);
    }

    /** The mlp, with Dropout(0.3) after its hidden layer when {@code dropout}: a resumed run must repeat the draws. */
    static OnnxModel mlp(boolean dropout) {
        GraphBuilder g = new GraphBuilder("mlp", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2);
        String h = g.node("Relu", "h", new String[] {g.node("Gemm", "l1", new String[] {x,
            g.initializer("w1", HostTensor.ofFloats(new long[] {8, 2}, scaled(Arrays2.random(1, 16), 0.5f))),
            g.initializer("b1", HostTensor.ofFloats(new long[] {8}, new float[8]))}, "transB", 1L)});
        if (dropout) {
            h = g.node("Dropout", "d", new String[] {h, g.initializer("ratio", HostTensor.ofFloats(new long[0], 0.3f))});
        }
        g.node("Gemm", "logits", new String[] {h,
            g.initializer("w2", HostTensor.ofFloats(new long[] {2, 8}, scaled(Arrays2.random(2, 16), 0.5f))),
            g.initializer("b2", HostTensor.ofFloats(new long[] {2}, 0, 0))}, "transB", 1L);
        g.output("logits", DataType.FLOAT32, -1, 2);
        return g.buildModel();
    }

    private static float[] scaled(float[] v, float k) {
        for (int i = 0; i < v.length; i++) {
            v[i] *= k;
        }
        return v;
    }

    /** Two Gaussian blobs: class 1 around (1.5, 1.5), class 0 around (-1.5, -1.5). */
    static DatasetSplit blobs(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[2 * n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(2);
            float centre = y[i] == 1 ? 1.5f : -1.5f;
            x[2 * i] = centre + (float) r.nextGaussian();
            x[2 * i + 1] = centre + (float) r.nextGaussian();
        }
        return new DatasetSplit(HostTensor.ofFloats(new long[] {n, 2}, x), HostTensor.ofLongs(new long[] {n}, y), null);
    }

    private static List<EpochMetrics> run(OnnxModel model, TrainingConfig config, float[][] weightsOut) {
        try (Executor ex = Executor.of(model); Trainer trainer = new Trainer(ex, config)) {
            List<EpochMetrics> epochs = trainer.train(blobs(512, 1), blobs(256, 2), null, new Trainer.Listener() { })
                    .epochs();
            weightsOut[0] = ex.weight("w2").toFloatArray();
            weightsOut[1] = new float[] {(float) Evaluation.of(ex, blobs(256, 3), 64).accuracy()};
            return epochs;
        }
    }

    @Test
    void learnsASeparableProblemReproduciblyWithEitherOptimizer() {
        for (String optimizer : List.of("adam", "sgd")) {
            TrainingConfig config = new TrainingConfig(6, 32, optimizer.equals("adam") ? 0.01f : 0.05f, optimizer, 0.9f, 1e-4f,
                    7, 0, null, null);
            float[][] first = new float[2][];
            List<EpochMetrics> epochs = run(mlp(), config, first);
            assertEquals(6, epochs.size());
            assertTrue(epochs.get(5).trainLoss() < epochs.get(0).trainLoss(), optimizer + ": the loss falls");
            assertTrue(first[1][0] > 0.95, optimizer + ": held-out accuracy " + first[1][0]);
            float[][] second = new float[2][];
            run(mlp(), config, second);
            assertArrayEquals(first[0], second[0], optimizer + ": the same seed gives the same weights");
        }
    }

    @Test
    void fourEpochsEqualTwoAndAResumeOfTwoWeightForWeight(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        for (String optimizer : List.of("adam", "sgd")) {
            TrainingConfig config = new TrainingConfig(4, 32, 0.05f, optimizer, 0.9f, 1e-3f, 5, 3, null, null);
            java.nio.file.Path file = dir.resolve(optimizer + ".checkpoint.zip");
            List<EpochMetrics> straight;
            float[][] straightWeights;
            try (Executor ex = Executor.of(mlp(true)); Trainer trainer = new Trainer(ex, config)) {
                straight = trainer.train(blobs(512, 1), blobs(256, 2), null, new Trainer.Listener() {
                    @Override
                    public void epoch(EpochMetrics m, java.util.function.Supplier<TrainingState> state) {
                        if (m.epoch() == 2) {
                            new Checkpoint(io.candor.interop.onnx.OnnxReader.fromProto(io.candor.interop.onnx.OnnxWriter
                                    .withInitializers(ex.model(), ex.initializerValues()), null), state.get()).write(file);
                        }
                    }
                }).epochs();
                straightWeights = new float[][] {ex.weight("w1").toFloatArray(), ex.weight("w2").toFloatArray()};
            }
            Checkpoint saved = Checkpoint.read(file);
            assertEquals(2, saved.state().epoch());
            assertTrue(saved.state().optimizer().keySet().stream().anyMatch(k -> k.endsWith("/w1")), "optimizer state saved");
            try (Executor ex = Executor.of(saved.model()); Trainer trainer = new Trainer(ex, config)) {
                List<EpochMetrics> resumed = trainer.train(blobs(512, 1), blobs(256, 2), saved.state(), new Trainer.Listener() { })
                        .epochs();
                assertEquals(4, resumed.size());
                for (int e = 0; e < 4; e++) {
                    assertEquals(straight.get(e).valLoss(), resumed.get(e).valLoss(), 0, optimizer + " epoch " + (e + 1));
                    assertEquals(straight.get(e).best(), resumed.get(e).best());
                }
                assertArrayEquals(straightWeights[0], ex.weight("w1").toFloatArray(), optimizer + ": w1");
                assertArrayEquals(straightWeights[1], ex.weight("w2").toFloatArray(), optimizer + ": w2");
            }
        }
    }

    @Test
    void onlyWeightsAfterTheCutChangeAndEarlyStoppingKeepsTheBestEpoch() {
        OnnxModel model = mlp();
        float[] w1Before = model.graph().initializers().get("w1").toFloatArray();
        TrainingConfig config = new TrainingConfig(30, 32, 0.5f, "sgd", 0.9f, 0, 3, 2, "h", null);
        try (Executor ex = Executor.of(model); Trainer trainer = new Trainer(ex, config)) {
            List<EpochMetrics> epochs = trainer.train(blobs(256, 1), blobs(128, 2), null, new Trainer.Listener() { })
                    .epochs();
            assertArrayEquals(w1Before, ex.weight("w1").toFloatArray(), "frozen below the cut");
            assertTrue(epochs.size() < 30, "a large learning rate stops early: " + epochs.size() + " epochs");
            EpochMetrics best = epochs.stream().filter(EpochMetrics::best).reduce((a, b) -> b).orElseThrow();
            double restored = Evaluation.of(ex, blobs(128, 2), 64).accuracy();
            assertEquals(best.valAccuracy(), restored, 1e-9, "the best epoch's weights are restored");
        }
    }

    @Test
    void evaluationMetricsByHand() {
        long[] labels = {0, 1, 1, 0};
        float[][] p = {{0.9f, 0.1f}, {0.4f, 0.6f}, {0.7f, 0.3f}, {0.2f, 0.8f}};
        Evaluation e = Evaluation.of(labels, p);
        assertEquals(0.5, e.accuracy(), 1e-12);
        assertArrayEquals(new long[] {1, 1}, e.confusion()[0]);
        assertArrayEquals(new long[] {1, 1}, e.confusion()[1]);
        // Positive scores 0.6, 0.3 against negative 0.1, 0.8: pairs won 2 of 4.
        assertEquals(0.5, e.rocAuc(), 1e-12);
        // Threshold 0.25: tp 2, fp 1, fn 0 -> F1 = 4/5.
        assertEquals(0.8, e.bestF1(), 1e-12);
    }
}
