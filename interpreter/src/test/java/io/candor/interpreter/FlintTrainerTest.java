package io.candor.interpreter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.finetune.Optimizer;
import io.candor.finetune.Trainer;
import io.candor.finetune.TrainingConfig;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.arch.MnistCnn;
import io.candor.models.data.DatasetSplit;
import io.candor.models.data.DecoyDigits;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Post-hoc FLINT on a small trained digit classifier: the interpreter learns to mimic it. */
class FlintTrainerTest {
    @Test
    void theInterpreterLearnsToAgreeWithTheFrozenModel() {
        DecoyDigits digits = new DecoyDigits();
        DatasetSplit train = digits.split(1200, 1, false, false);
        DatasetSplit test = digits.split(300, 2, false, false);
        try (Executor model = Executor.of(OnnxReader.fromProto(MnistCnn.build(0), null))) {
            try (Trainer t = new Trainer(model, new TrainingConfig(2, 64, 1e-3f, "adam", 0f, 0f, 0, 0, null, null))) {
                t.train(train, test, null, new Trainer.Listener() { });
            }
            TapCache cache = TapCache.compute(model, train, "pool1", 128);
            TapCache held = TapCache.compute(model, test, "pool1", 128);
            LossSchedule schedule = LossSchedule.flintMnist().with("of=1@0,if=0.8@0,cd=0.2@1,l1=0.1@1");
            try (Executor interpreter = Executor.of(OnnxReader.fromProto(
                    InterpreterGraph.build("pool1", cache.sampleShape(), 16, 10, new long[] {1, 28, 28}, 3), null));
                    FlintTrainer flint = new FlintTrainer(interpreter, schedule,
                            Optimizer.of(new TrainingConfig(1, 32, 3e-3f, "adam", 0f, 0f, 0, 0, null, null)), 32)) {
                double before = fidelity(interpreter, held);
                Map<String, Double> first = flint.epoch(cache, 1, new Random(1));
                Map<String, Double> last = first;
                for (int epoch = 2; epoch <= 6; epoch++) {
                    last = flint.epoch(cache, epoch, new Random(epoch));
                }
                double after = fidelity(interpreter, held);
                assertTrue(last.get("of") < first.get("of"), "output fidelity loss falls: " + first + " -> " + last);
                assertTrue(last.get("if") < first.get("if"), "reconstruction error falls: " + first + " -> " + last);
                // Measured here: 0.05 at initialisation, 0.75 after six short epochs (0.83 without cd and l1).
                assertTrue(before < 0.3 && after > 0.6, "g learns to agree with f on held-out digits: " + before + " -> "
                        + after);
            }
        }
    }

    private static double fidelity(Executor interpreter, TapCache data) {
        try (NDManager m = Engines.newManager()) {
            NDArray g = interpreter.run(m, Map.of("pool1", data.taps().toNDArray(m)), List.of(InterpreterGraph.LOGITS))
                    .get(InterpreterGraph.LOGITS);
            return FlintMetrics.fidelity(Dictionary.rows(data.logits()), Dictionary.rows(HostTensor.of(g)));
        }
    }

    @Test
    void aTapMustBeAHiddenTensorOfTheModel() {
        DatasetSplit few = new DecoyDigits().split(4, 1, false, false);
        try (Executor model = Executor.of(OnnxReader.fromProto(MnistCnn.build(0), null))) {
            for (String tap : new String[] {"input", "fc2", "no_such_tensor"}) {
                io.candor.interop.CandorException e = org.junit.jupiter.api.Assertions.assertThrows(
                        io.candor.interop.CandorException.class, () -> TapCache.compute(model, few, tap, 2), tap);
                assertTrue(e.getMessage().contains(tap), e.getMessage());
            }
            TapCache ok = TapCache.compute(model, few, "relu3", 3);
            io.candor.interop.onnx.GraphBuilder g = new io.candor.interop.onnx.GraphBuilder("side", 13);
            String x = g.input("x", io.candor.interop.tensor.DataType.FLOAT32, -1, 2);
            String h = g.node("Relu", "h", new String[] {x});
            String y = g.node("Identity", "y", new String[] {h});
            g.node("Sigmoid", "after", new String[] {y});
            g.output(y, io.candor.interop.tensor.DataType.FLOAT32, -1, 2);
            try (Executor small = Executor.of(g.buildModel())) {
                DatasetSplit two = new DatasetSplit(HostTensor.ofFloats(new long[] {2, 2}, 1, 2, 3, 4),
                        HostTensor.ofLongs(new long[] {2}, 0, 1), null);
                io.candor.interop.CandorException after = org.junit.jupiter.api.Assertions.assertThrows(
                        io.candor.interop.CandorException.class, () -> TapCache.compute(small, two, "after", 2));
                assertTrue(after.getMessage().contains("does not lead to the output"), after.getMessage());
                org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {2},
                        TapCache.compute(small, two, "h", 2).sampleShape());
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {256}, ok.sampleShape());
            org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {4, 10}, ok.logits().shape());
        }
    }
}
