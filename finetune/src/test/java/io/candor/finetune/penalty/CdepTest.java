package io.candor.finetune.penalty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import org.junit.jupiter.api.Test;

/** CDEP's penalty on a model small enough to work out by hand. */
class CdepTest {
    /** logits = x W^T with W = I (2 x 2), no bias. */
    private static OnnxModel identity() {
        GraphBuilder g = new GraphBuilder("identity", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2);
        g.node("Gemm", "y", new String[] {x, g.initializer("w", HostTensor.ofFloats(new long[] {2, 2}, 1, 0, 0, 1))},
                "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 2);
        return g.buildModel();
    }

    /** x [N,1,4,4] -> Conv(2, 3x3, pad 1) -> BatchNorm -> Relu -> Flatten -> Gemm(2). */
    private static OnnxModel convBn() {
        GraphBuilder g = new GraphBuilder("conv-bn", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 1, 4, 4);
        String c = g.node("Conv", "c", new String[] {x, g.initializer("cw", HostTensor.ofFloats(new long[] {2, 1, 3, 3},
            io.candor.interop.testing.Arrays2.random(1, 18)))}, "pads", new long[] {1, 1, 1, 1});
        String bn = g.node("BatchNormalization", "bn", new String[] {c,
            g.initializer("gamma", HostTensor.ofFloats(new long[] {2}, 1.1f, 0.9f)),
            g.initializer("beta", HostTensor.ofFloats(new long[] {2}, 0.1f, -0.1f)),
            g.initializer("mean", HostTensor.ofFloats(new long[] {2}, 0.2f, -0.3f)),
            g.initializer("var", HostTensor.ofFloats(new long[] {2}, 1.5f, 0.8f))});
        String f = g.node("Flatten", "f", new String[] {g.node("Relu", "r", new String[] {bn})});
        g.node("Gemm", "y", new String[] {f, g.initializer("fw", HostTensor.ofFloats(new long[] {2, 32},
            io.candor.interop.testing.Arrays2.random(2, 64)))}, "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 2);
        return g.buildModel();
    }

    @Test
    void aCdepStepMovesTheRunningStatisticsAsAPlainStepDoes() {
        // The step's forward pass updates BatchNorm's statistics once; CD in the penalty must not again.
        float[][] means = new float[2][];
        for (int run = 0; run < 2; run++) {
            io.candor.finetune.TrainingConfig config = new io.candor.finetune.TrainingConfig(1, 4, 0.1f, "sgd", 0f, 0f, 0,
                    0, null, null);
            io.candor.finetune.Objective objective = run == 0 ? io.candor.finetune.Objective.crossEntropy()
                    : new io.candor.finetune.Objective(new Cdep(), 1f);
            try (Executor ex = Executor.of(convBn()); io.candor.finetune.Trainer trainer =
                    new io.candor.finetune.Trainer(ex, config, objective); NDManager m = Engines.newManager()) {
                NDArray x = m.create(io.candor.interop.testing.Arrays2.random(3, 64), new Shape(4, 1, 4, 4));
                NDArray y = m.create(new long[] {0, 1, 1, 0});
                NDArray corner = m.zeros(new Shape(1, 4, 4));
                corner.set(new ai.djl.ndarray.index.NDIndex("0, 0:2, 0:2"), 1f);
                trainer.prepare(true);
                io.candor.finetune.Trainer.Step step = trainer.step(m, x, y, corner);
                trainer.prepare(false);
                assertEquals(run == 1, !Float.isNaN(step.penalty()), "the penalty is computed only with CDEP");
                means[run] = ex.weight("mean").toFloatArray();
            }
        }
        assertArrayEquals(means[0], means[1], 0f);
    }

    @Test
    void theFusedStepFollowsTheGradientOfCrossEntropyOnTheForwardPassPlusThePenalty() {
        // The step takes its logits from the decomposition; the reference takes them from a separate
        // forward pass. Without Dropout both give one gradient: compare one SGD step with a step taken by hand.
        io.candor.finetune.TrainingConfig config = new io.candor.finetune.TrainingConfig(1, 4, 0.5f, "sgd", 0f, 0f, 0,
                0, null, null);
        float lambda = 3f;
        float[][] after = new float[2][];
        for (int run = 0; run < 2; run++) {
            try (Executor ex = Executor.of(convBn()); NDManager m = Engines.newManager();
                    io.candor.finetune.Trainer trainer = new io.candor.finetune.Trainer(ex, config,
                            new io.candor.finetune.Objective(new Cdep(), lambda))) {
                NDArray x = m.create(io.candor.interop.testing.Arrays2.random(7, 64), new Shape(4, 1, 4, 4));
                NDArray y = m.create(new long[] {1, 0, 1, 1});
                NDArray corner = m.zeros(new Shape(4, 1, 4, 4));
                corner.set(new ai.djl.ndarray.index.NDIndex("0:3, 0, 0:2, 0:2"), 1f); // sample 3 unmarked
                trainer.prepare(true);
                if (run == 0) {
                    trainer.step(m, x, y, corner);
                } else {
                    NDArray w = ex.weight("fw");
                    ex.setTraining(true);
                    try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                        NDArray logits = ex.run(m, java.util.Map.of("x", x), java.util.List.of("y")).get("y");
                        NDArray ce = new io.candor.finetune.CrossEntropy(null).loss(logits, y);
                        NDArray penalty = new Cdep().value(ex, io.candor.finetune.Batch.ofInputs(m, "x", x, y, corner));
                        gc.backward(ce.add(penalty.mul(lambda)));
                    }
                    ex.setTraining(false);
                    try (NDArray g = w.getGradient()) {
                        w.subi(g.mul(0.5f));
                    }
                }
                trainer.prepare(false);
                after[run] = ex.weight("fw").toFloatArray();
            }
        }
        assertArrayEquals(after[1], after[0], 1e-5f);
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void theRegionsShareOfEveryLogitAveragedOverPenalisedSamples() {
        try (Executor ex = Executor.of(identity()); NDManager m = Engines.newManager()) {
            // Sample 0 marks feature 0 spurious; sample 1 marks nothing and is not penalised.
            NDArray x = m.create(new float[] {1, 2, 3, -1}, new Shape(2, 2));
            NDArray spurious = m.create(new float[] {1, 0, 0, 0}, new Shape(2, 2));
            NDArray w = ex.weight("w");
            w.setRequiresGradient(true);
            float value;
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                NDArray p = new Cdep().value(ex, io.candor.finetune.Batch.ofInputs(m, "x", x, null, spurious));
                value = p.getFloat();
                gc.backward(p);
            }
            // beta = W (x * mask) = [1, 0], gamma = W (x * (1 - mask)) = [0, 2]: mean of sigmoid(beta - gamma).
            assertEquals((sigmoid(1) + sigmoid(-2)) / 2, value, 1e-6);
            // beta_k - gamma_k = W_k . (x (2 mask - 1)) = W_k . [1, -2], so d/dW_k = sigmoid'(z_k) [1, -2] / 2.
            double d0 = sigmoid(1) * (1 - sigmoid(1)) / 2;
            double d1 = sigmoid(-2) * (1 - sigmoid(-2)) / 2;
            try (NDArray g = w.getGradient()) {
                assertArrayEquals(new float[] {(float) d0, (float) (-2 * d0), (float) d1, (float) (-2 * d1)},
                        g.toFloatArray(), 1e-6f);
                g.subi(g);
            }
            w.setRequiresGradient(false);
            assertNull(new Cdep().value(ex, io.candor.finetune.Batch.ofInputs(m, "x", x, null, m.zeros(new Shape(2, 2)))), "no marked sample, no penalty");
        }
    }

    /** tokens [N, 2] -> embedding E (3 x 2) -> Flatten -> Gemm W (2 x 4), no bias. */
    private static OnnxModel tokens() {
        GraphBuilder g = new GraphBuilder("tokens", 13);
        String t = g.input("t", DataType.INT64, -1, 2);
        String e = g.node("Gather", "e", new String[] {g.initializer("E", HostTensor.ofFloats(new long[] {3, 2},
            0, 0, 1, 0, 0, 1)), t});
        String f = g.node("Flatten", "f", new String[] {e});
        g.node("Gemm", "y", new String[] {f, g.initializer("W", HostTensor.ofFloats(new long[] {2, 4},
            1, 0, 0, 2, 0, 3, 1, 0))}, "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 2);
        return g.buildModel();
    }

    @Test
    void forTokensTheTrueClassIsPushedTowardsTheOtherTokens() {
        try (Executor ex = Executor.of(tokens()); NDManager m = Engines.newManager()) {
            NDArray t = m.create(new long[] {1, 2, 2, 1, 1, 1}, new Shape(3, 2));
            NDArray y = m.create(new long[] {0, 0, 1});
            NDArray spurious = m.create(new float[] {1, 0, 0, 0, 0, 1}, new Shape(3, 2)); // sample 1 unmarked
            io.candor.finetune.Batch batch = io.candor.finetune.Batch.ofInputs(m, "t", t, y, spurious);
            // Sample 0: embeddings [1,0],[0,1], the first marked: beta = W [1,0,0,0] = [1, 0], gamma = W [0,0,0,1] =
            // [2, 0]; label 0 gives beta - gamma = -1. Sample 2: [1,0],[1,0], the second marked: beta = W [0,0,1,0]
            // = [0, 1], gamma = W [1,0,0,0] = [1, 0]; label 1 gives 1. The penalty: mean softplus(beta_y - gamma_y).
            double expected = (Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(1))) / 2;
            assertEquals(expected, new Cdep().value(ex, batch).getFloat(), 1e-6);
            io.candor.finetune.penalty.OutputPenalty.Forward score = new Cdep().biasScore(ex, batch);
            assertEquals((sigmoid(-1) + sigmoid(1)) / 2, score.penalty().getFloat(), 1e-6);
            // The decomposition's totals are the logits: W [1,0,0,1] = [3, 0] for sample 0.
            assertArrayEquals(new float[] {3, 0}, score.logits().get(0).toFloatArray(), 1e-6f);
        }
    }
}
