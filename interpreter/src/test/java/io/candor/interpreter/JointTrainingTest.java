package io.candor.interpreter;

import static io.candor.interop.testing.Arrays2.assertClose;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.candor.finetune.Optimizer;
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

/** FLINT by design: an untrained CNN and its interpreter learn together. */
class JointTrainingTest {
    @Test
    void theModelLearnsTheTaskAndTheInterpreterLearnsTheModel() {
        DecoyDigits digits = new DecoyDigits();
        DatasetSplit train = digits.split(1200, 1, false, false);
        DatasetSplit test = digits.split(300, 2, false, false);
        var untrained = OnnxReader.fromProto(MnistCnn.build(0), null);
        LossSchedule schedule = LossSchedule.flintMnist().with("of=1@0,cd=0.2@2,l1=0.1@1");
        Optimizer adam = Optimizer.of(new TrainingConfig(1, 32, 2e-3f, "adam", 0f, 0f, 0, 0, null, null));
        try (JointTraining joint = JointTraining.of(untrained, train, List.of("pool2"), 8, schedule, adam, 32, 3)) {
            Map<String, Double> first = joint.epoch(train, 1, new Random(1));
            Map<String, Double> last = first;
            for (int epoch = 2; epoch <= 4; epoch++) {
                last = joint.epoch(train, epoch, new Random(epoch));
            }
            assertTrue(last.get("ce") < 0.6 * first.get("ce"), "the model learns: " + first + " -> " + last);
            assertTrue(last.get("of") < first.get("of"), "the interpreter follows it: " + first + " -> " + last);
            var model = joint.trainedModel();
            assertFalse(model.graph().hasTensor(InterpreterGraph.ATTRIBUTES), "the model alone, without the interpreter");
            try (Executor f = Executor.of(model); Executor g = Executor.of(joint.trainedInterpreter());
                    Executor both = Executor.of(OnnxReader.fromProto(joint.trainedMerged(), null));
                    NDManager m = Engines.newManager()) {
                TapCache held = TapCache.compute(f, test, List.of("pool2"), 100);
                Map<String, Object> d = Dictionary.measure(g, held);
                @SuppressWarnings("unchecked")
                Map<String, Object> metrics = (Map<String, Object>) d.get("metrics");
                // Measured here: f 0.76, fidelity 0.74 after four short epochs from scratch.
                assertTrue((double) metrics.get("accuracyF") > 0.6, "f learned the digits: " + metrics);
                assertTrue((double) metrics.get("fidelity") > 0.5, "g follows f, far above chance (0.1): " + metrics);
                // The three exports are the same trained network: the merged graph's outputs are the parts'.
                HostTensor x = test.x();
                var merged = both.run(m, Map.of("input", x.toNDArray(m)), List.of("fc2", InterpreterGraph.ATTRIBUTES));
                assertClose(held.logits().toFloatArray(), HostTensor.of(merged.get("fc2")).toFloatArray(), 1e-5, "f");
                var alone = g.run(m, Map.of("pool2", held.taps().get("pool2").toNDArray(m)), List.of(InterpreterGraph.ATTRIBUTES));
                assertClose(HostTensor.of(alone.get(InterpreterGraph.ATTRIBUTES)).toFloatArray(),
                        HostTensor.of(merged.get(InterpreterGraph.ATTRIBUTES)).toFloatArray(), 1e-4, "Phi");
            }
        }
    }
}
