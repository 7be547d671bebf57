package io.candor.tests;

import static io.candor.tests.CliRunner.candor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.tests.CliRunner.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code candor interpret compare}: one dictionary's attributes, a head fitted anew to each model. A model
 * is compared with itself exactly; a model fine-tuned after the tap keeps the attributes; a model trained
 * anew does not, and the command says so.
 */
class InterpretCompareCliTest {
    @TempDir
    static Path dir;

    private static Path data;
    private static Path model;
    private static Path dictionary;

    @BeforeAll
    static void dictionaryOfASmallCnn() {
        data = dir.resolve("decoys");
        assertEquals(0, candor("data", "make", "decoy-digits", "--out", data.toString(), "--n-train", "600", "--n-val", "100",
                "--n-test", "100").code());
        model = dir.resolve("cnn.onnx");
        assertEquals(0, candor("train", "--data", data.toString(), "--epochs", "1", "--out", model.toString()).code());
        dictionary = dir.resolve("dictionary");
        Run interpret = candor("interpret", "--model", model.toString(), "--data", data.toString(), "--taps", "pool2",
                "--attributes", "6", "--epochs", "1", "--picture-steps", "0x0", "--concepts",
                data.resolve("concepts").resolve("concepts.npy").toString(), "--out", dictionary.toString());
        assertEquals(0, interpret.code(), interpret.err());
    }

    @Test
    void theSameModelGetsTheSameHeadAndAFineTunedOneKeepsTheAttributes() throws IOException {
        Path tuned = dir.resolve("tuned.onnx");
        assertEquals(0, candor("finetune", "--model", model.toString(), "--data", data.toString(), "--cut", "flatten",
                "--epochs", "1", "--lr", "0.01", "--out", tuned.toString()).code());
        Path retrained = dir.resolve("retrained.onnx");
        assertEquals(0, candor("train", "--data", data.toString(), "--epochs", "1", "--seed", "5", "--out",
                retrained.toString()).code());
        Path out = dir.resolve("compare.json");
        Run run = candor("interpret", "compare", "--interpreter", dictionary.toString(), "--model", model.toString(),
                "--model", tuned.toString(), "--model", retrained.toString(), "--data", data.toString(), "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains(data.resolve("concepts").toString()), "fits on the concepts split: " + run.out());
        JsonNode rows = new ObjectMapper().readTree(out.toFile()).get("models");
        assertEquals(4, rows.size());
        JsonNode own = rows.get(0);
        JsonNode same = rows.get(1);
        assertEquals(0.0, same.get("attributeChange").asDouble());
        assertEquals(own.get("concepts"), same.get("concepts"), "the same model, the same fit");
        assertEquals(own.get("accuracy"), same.get("accuracy"));
        JsonNode tunedRow = rows.get(2);
        assertTrue(tunedRow.get("sameAttributes").asBoolean(), "the tap lies before the cut: " + tunedRow);
        assertTrue(!tunedRow.get("concepts").equals(own.get("concepts")), "another model, another head");
        JsonNode retrainedRow = rows.get(3);
        assertFalse(retrainedRow.get("sameAttributes").asBoolean());
        assertTrue(retrainedRow.get("attributeChange").asDouble() > 1e-2, retrainedRow.toString());
        assertTrue(run.out().contains("its taps differ"), run.out());
        for (JsonNode row : rows) {
            double fidelity = row.get("fidelity").asDouble();
            assertTrue(fidelity > 0.2 && fidelity <= 1, "the head mimics each model better than chance: " + row);
            assertEquals(3, row.get("concepts").size());
            assertEquals(10, row.get("concepts").get(0).get("weights").size());
        }
    }

    @Test
    void badInputIsAClearErrorAndWritesNothing() {
        Path out = dir.resolve("never.json");
        Path foreign = Fixtures.root().resolve("mnist_cnn_functional_opset17").resolve("model.onnx");
        expect(1, "has no tensor 'pool2'", "interpret", "compare", "--interpreter", dictionary.toString(), "--model",
                foreign.toString(), "--data", data.toString(), "--out", out.toString());
        expect(1, "does not exist", "interpret", "compare", "--interpreter", dir.resolve("nowhere").toString(), "--model",
                model.toString(), "--data", data.toString(), "--out", out.toString());
        expect(1, "is a folder", "interpret", "compare", "--interpreter", dictionary.toString(), "--model", model.toString(),
                "--data", data.toString(), "--out", dir.toString());
        expect(1, "nosuch", "interpret", "compare", "--interpreter", dictionary.toString(), "--model", model.toString(),
                "--data", data.toString(), "--split", "nosuch", "--out", out.toString());
        expect(2, "--model", "interpret", "compare", "--interpreter", dictionary.toString(), "--data", data.toString(),
                "--out", out.toString());
        assertFalse(Files.exists(out), "nothing written");
    }

    private static void expect(int code, String message, String... args) {
        Run run = candor(args);
        assertEquals(code, run.code(), String.join(" ", args) + ": " + run.err());
        assertTrue(run.err().contains(message), run.err());
        assertFalse(run.err().contains("\tat "), "one line, no stack trace: " + run.err());
    }
}
