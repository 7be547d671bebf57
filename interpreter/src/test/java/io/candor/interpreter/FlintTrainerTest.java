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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Post-hoc FLINT on a small trained digit classifier: the interpreter learns to mimic it. */
class FlintTrainerTest {
    private static final DecoyDigits DIGITS = new DecoyDigits();
    private static DatasetSplit train;
    private static DatasetSplit test;
    private static Executor model;

    @BeforeAll
    static void trainASmallDigitClassifier() {
        train = DIGITS.split(1200, 1, false, false);
        test = DIGITS.split(300, 2, false, false);
        model = Executor.of(OnnxReader.fromProto(MnistCnn.build(0), null));
        try (Trainer t = new Trainer(model, new TrainingConfig(2, 64, 1e-3f, "adam", 0f, 0f, 0, 0, null, null))) {
            t.train(train, test, null, new Trainer.Listener() { });
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theInterpreterLearnsToAgreeWithTheFrozenModel() {
        {
            TapCache cache = TapCache.compute(model, train, List.of("pool1"), 128);
            TapCache held = TapCache.compute(model, test, List.of("pool1"), 128);
            LossSchedule schedule = LossSchedule.flintMnist().with("of=1@0,if=0.8@0,cd=0.2@1,l1=0.1@1");
            try (Executor interpreter = Executor.of(OnnxReader.fromProto(
                    InterpreterGraph.build("pool1", cache.sampleShapes().get("pool1"), 16, 10, new long[] {1, 28, 28}, 3), null));
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

    @Test
    void attributesBoundToConceptsLearnThemFromAMapAndAVectorTap() {
        // closed_loop and straight_only, known from the labels; the light-patch column is left out (no patches here).
        TapCache cache = TapCache.compute(model, train, List.of("pool2", "relu3"), 128).withConcepts(shapes(train));
        TapCache held = TapCache.compute(model, test, List.of("pool2", "relu3"), 128).withConcepts(shapes(test));
        LossSchedule schedule = LossSchedule.flintMnist().with("of=1@0,if=0.8@0,cd=0.2@1,l1=0.1@1,co=1@0");
        try (Executor interpreter = Executor.of(OnnxReader.fromProto(
                InterpreterGraph.build(cache.sampleShapes(), 8, 2, 10, new long[] {1, 28, 28}, 5), null));
                FlintTrainer flint = new FlintTrainer(interpreter, schedule,
                        Optimizer.of(new TrainingConfig(1, 32, 3e-3f, "adam", 0f, 0f, 0, 0, null, null)), 32)) {
            Map<String, Double> first = flint.epoch(cache, 1, new Random(1));
            Map<String, Double> last = first;
            for (int epoch = 2; epoch <= 8; epoch++) {
                last = flint.epoch(cache, epoch, new Random(epoch));
            }
            assertTrue(last.get("co") < first.get("co"), "the binding loss falls: " + first + " -> " + last);
            var concepts = Dictionary.measure(interpreter, held).get("concepts");
            assertTrue(concepts instanceof List<?>, "the dictionary reports the bound concepts");
            for (Object o : (List<?>) concepts) {
                Map<?, ?> c = (Map<?, ?>) o;
                // Measured here: closed_loop 0.92, straight_only 0.82 (a classifier trained two short epochs).
                assertTrue((Double) c.get("auc") > 0.75, "held-out digits: " + c);
            }
        }
    }

    /** The digits' shape concepts (columns 1 and 2 of the generator's labels). */
    private static io.candor.models.data.Concepts shapes(DatasetSplit split) {
        var all = split.concepts();
        boolean[][] rows = new boolean[all.size()][];
        float[] loop = all.column(1);
        float[] straight = all.column(2);
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new boolean[] {loop[i] == 1, straight[i] == 1};
        }
        return io.candor.models.data.Concepts.of(List.of("closed_loop", "straight_only"), Map.of(), rows);
    }

    private static double fidelity(Executor interpreter, TapCache data) {
        try (NDManager m = Engines.newManager()) {
            NDArray g = interpreter.run(m, Map.of("pool1", data.taps().get("pool1").toNDArray(m)), List.of(InterpreterGraph.LOGITS))
                    .get(InterpreterGraph.LOGITS);
            return FlintMetrics.fidelity(Dictionary.rows(data.logits()), Dictionary.rows(HostTensor.of(g)));
        }
    }

    @Test
    void aTapMustBeAHiddenTensorOfTheModel() {
        DatasetSplit few = new DecoyDigits().split(4, 1, false, false);
        {
            for (String tap : new String[] {"input", "fc2", "no_such_tensor"}) {
                io.candor.interop.CandorException e = org.junit.jupiter.api.Assertions.assertThrows(
                        io.candor.interop.CandorException.class, () -> TapCache.compute(model, few, List.of(tap), 2), tap);
                assertTrue(e.getMessage().contains(tap), e.getMessage());
            }
            TapCache ok = TapCache.compute(model, few, List.of("relu3"), 3);
            io.candor.interop.CandorException rows = org.junit.jupiter.api.Assertions.assertThrows(
                    io.candor.interop.CandorException.class, () -> ok.withConcepts(shapes(test)));
            assertTrue(rows.getMessage().contains("300 rows but the data has 4"), rows.getMessage());
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
                        io.candor.interop.CandorException.class, () -> TapCache.compute(small, two, List.of("after"), 2));
                assertTrue(after.getMessage().contains("does not lead to the output"), after.getMessage());
                org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {2},
                        TapCache.compute(small, two, List.of("h"), 2).sampleShapes().get("h"));
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {256}, ok.sampleShapes().get("relu3"));
            org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {4, 10}, ok.logits().shape());
        }
    }
}
