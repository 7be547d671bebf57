package io.candor.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.finetune.Trainer;
import io.candor.finetune.TrainingConfig;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import io.candor.interop.testing.Arrays2;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Candor's training steps against PyTorch's on small BatchNorm networks
 * (tests/python/make_training_fixtures.py): the same SGD steps on the same mini-batches give the same
 * losses, running statistics and evaluation-mode logits, with every layer trained and with everything
 * up to a cut frozen as a whole (evaluation-mode BatchNorm, running statistics kept); and Adam and SGD
 * with momentum and weight decay take PyTorch's steps.
 */
class TrainingParityTest {
    private static final double TOLERANCE = 1e-4;

    @TestFactory
    Stream<DynamicTest> sgdStepsMatchPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String net : List.of("resnet_block", "vgg_bn")) {
            for (String variant : List.of("", "frozen")) {
                tests.add(DynamicTest.dynamicTest(net + (variant.isEmpty() ? " all layers" : " frozen up to the cut"),
                        () -> check(Fixtures.root().resolve("training").resolve(net), variant)));
            }
        }
        for (String variant : List.of("adam", "sgd_momentum")) {
            tests.add(DynamicTest.dynamicTest("resnet_block with " + variant + " and weight decay",
                    () -> check(Fixtures.root().resolve("training").resolve("resnet_block"), variant)));
        }
        return tests.stream();
    }

    /** {@code variant}: "" (SGD on every layer), "frozen" (SGD after the cut), or an optimizer's folder. */
    private static void check(Path dir, String variant) throws IOException {
        boolean frozen = variant.equals("frozen");
        Path results = variant.isEmpty() ? dir : dir.resolve(variant);
        JsonNode after = new ObjectMapper().readTree(results.resolve("after.json").toFile());
        String cut = frozen ? after.get("cut").asText() : null;
        HostTensor xs = Npy.read(dir.resolve("x.npy"));
        HostTensor ys = Npy.read(dir.resolve("y.npy"));
        try (Executor ex = Executor.of(OnnxReader.read(dir.resolve("model.onnx"))); NDManager m = Engines.newManager()) {
            Map<String, float[]> initial = new java.util.HashMap<>();
            ex.runningStatisticsAfter(null).forEach(n -> initial.put(n, ex.weight(n).toFloatArray()));
            assertFalse(initial.isEmpty());
            assertTrue(Collections.disjoint(ex.weightsAfter(cut), initial.keySet()),
                    "running statistics are state, never trained by gradient");

            TrainingConfig config = new TrainingConfig(1, (int) xs.shape()[1], (float) after.get("lr").asDouble(),
                    after.get("optimizer").asText(), (float) after.get("momentum").asDouble(),
                    (float) after.get("weight_decay").asDouble(), 0, 0, cut, null);
            try (Trainer trainer = new Trainer(ex, config)) {
                trainer.prepare(true);
            NDArray x = xs.toNDArray(m);
            NDArray y = ys.toNDArray(m);
            Iterator<JsonNode> losses = after.get("losses").iterator();
                for (int step = 0; step < xs.shape()[0]; step++) {
                    float loss = trainer.step(m, x.get(step), y.get(step)).loss();
                    assertEquals(losses.next().asDouble(), loss, 1e-5, "loss of step " + step);
                }
                trainer.prepare(false);
            }

            Set<String> updated = frozen ? ex.runningStatisticsAfter(cut) : initial.keySet();
            after.get("running_statistics").fields().forEachRemaining(e -> {
                float[] expected = new float[e.getValue().size()];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = (float) e.getValue().get(i).asDouble();
                }
                Arrays2.assertClose(expected, ex.weight(e.getKey()).toFloatArray(), TOLERANCE, e.getKey());
                if (!updated.contains(e.getKey())) {
                    Arrays2.assertClose(initial.get(e.getKey()), ex.weight(e.getKey()).toFloatArray(), 0,
                            e.getKey() + " is before the cut and stays as it was");
                }
            });
            String in = ex.singleInput();
            String out = ex.graph().outputs().get(0).name();
            NDArray probe = Npy.read(dir.resolve("probe.npy")).toNDArray(m);
            float[] logits = ex.run(m, Map.of(in, probe), List.of(out)).get(out).toFloatArray();
            Arrays2.assertClose(Npy.read(results.resolve("probe_logits.npy")).toFloatArray(),
                    logits, TOLERANCE, "evaluation-mode logits after training");
        }
    }
}
