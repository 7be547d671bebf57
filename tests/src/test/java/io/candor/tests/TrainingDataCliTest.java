package io.candor.tests;

import static io.candor.tests.CliRunner.candor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.tests.CliRunner.Run;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train and finetune on the data users bring: image folders with masks, TSV text with spurious words. */
class TrainingDataCliTest {
    @TempDir
    Path dir;

    /** A 28 x 28 grey picture: class 1 is brighter; a white 5 x 5 corner patch where {@code patched}. */
    private static BufferedImage picture(Random random, int label, boolean patched) {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int grey = patched && x < 5 && y < 5 ? 255 : Math.min(255, 40 * label + random.nextInt(120));
                image.getRaster().setSample(x, y, 0, grey);
            }
        }
        return image;
    }

    private static BufferedImage cornerMask() {
        BufferedImage mask = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 5; x++) {
                mask.getRaster().setSample(x, y, 0, 255);
            }
        }
        return mask;
    }

    private static double penalty(Path metrics) throws IOException {
        return new ObjectMapper().readTree(metrics.toFile()).get(0).get("penalty").asDouble();
    }

    @Test
    void imageFoldersWithAParallelFolderOfMasks() throws IOException {
        Random random = new Random(3);
        Path images = dir.resolve("images");
        Path masks = dir.resolve("masks");
        for (String split : List.of("train", "val")) {
            for (int label = 0; label < 2; label++) {
                Files.createDirectories(images.resolve(split).resolve("c" + label));
                Files.createDirectories(masks.resolve(split).resolve("c" + label));
                for (int i = 0; i < 8; i++) {
                    boolean patched = label == 1 && i % 2 == 0;
                    String name = "img" + i + ".png";
                    ImageIO.write(picture(random, label, patched), "png", images.resolve(split).resolve("c" + label)
                            .resolve(name).toFile());
                    if (patched) {
                        ImageIO.write(cornerMask(), "png", masks.resolve(split).resolve("c" + label).resolve(name).toFile());
                    }
                }
            }
        }
        Path model = dir.resolve("cnn.onnx");
        Run train = candor("train", "--arch", "mnist-cnn", "--data", images.toString(), "--epochs", "1", "--batch", "8",
                "--out", model.toString());
        assertEquals(0, train.code(), train.err());
        Run unmarked = candor("finetune", "--model", model.toString(), "--data", images.toString(), "--cut", "flatten",
                "--penalty", "cdep", "--lambda", "10", "--out", dir.resolve("never.onnx").toString());
        assertEquals(1, unmarked.code(), "no --masks, nothing marked");
        assertTrue(unmarked.err().contains("--masks"), unmarked.err());
        assertFalse(Files.exists(dir.resolve("never.onnx")));
        Path fixed = dir.resolve("fixed.onnx");
        Run finetune = candor("finetune", "--model", model.toString(), "--data", images.toString(), "--masks",
                masks.toString(), "--cut", "flatten", "--penalty", "cdep", "--lambda", "10", "--epochs", "1", "--batch",
                "8", "--out", fixed.toString());
        assertEquals(0, finetune.code(), finetune.err());
        assertTrue(penalty(dir.resolve("fixed.metrics.json")) > 0, "the patched pictures are penalised");
        JsonNode bias = new ObjectMapper().readTree(dir.resolve("fixed.metrics.json").toFile()).get(0).get("biasScore");
        assertTrue(bias != null && !bias.isNull(), "val carries masks too, so it has a bias score");
        // The same on the network PyTorch exported, cut at the tensor name its exporter gave.
        Path exported = Fixtures.root().resolve("mnist_cnn_modules_opset17").resolve("model.onnx");
        Run pytorch = candor("finetune", "--model", exported.toString(), "--data", images.toString(), "--masks",
                masks.toString(), "--cut", "/classifier/classifier.0/Flatten_output_0", "--penalty", "cdep", "--lambda",
                "10", "--epochs", "1", "--batch", "8", "--out", dir.resolve("pytorch-fixed.onnx").toString());
        assertEquals(0, pytorch.code(), pytorch.err());
        assertTrue(penalty(dir.resolve("pytorch-fixed.metrics.json")) > 0);
    }

    @Test
    void tsvTextWithSpuriousWordsAndTheModelsVocabulary() throws IOException {
        Path data = dir.resolve("decoys");
        assertEquals(0, candor("data", "make", "decoy-text", "--out", data.toString(), "--n-train", "200", "--n-val",
                "50", "--n-test", "50").code());
        Path lstm = dir.resolve("lstm.onnx");
        assertEquals(0, candor("train", "--arch", "lstm-text", "--data", data.toString(), "--epochs", "1", "--out",
                lstm.toString()).code());
        JsonNode meta = new ObjectMapper().readTree(data.resolve("meta.json").toFile());
        List<String> vocabulary = new ArrayList<>();
        meta.get("vocabulary").forEach(w -> vocabulary.add(w.asText()));
        Path tsv = dir.resolve("tsv");
        Files.createDirectories(tsv);
        Files.write(tsv.resolve("vocabulary.txt"), vocabulary);
        Files.writeString(tsv.resolve("train.tsv"), "text\tlabel\nthe movie was great text\t1\nthe plot was dull video\t0\n"
                + "video the acting was bad\t0\nreally the film was good text\t1\n");
        Files.writeString(tsv.resolve("val.tsv"), "text\tlabel\nthe music was superb\t1\nthe ending was weak\t0\n");
        Path out = dir.resolve("lstm-cdep.onnx");
        Run run = candor("train", "--init", lstm.toString(), "--data", tsv.toString(), "--spurious-words", "text,video",
                "--penalty", "cdep", "--lambda", "1", "--epochs", "1", "--batch", "2", "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(penalty(dir.resolve("lstm-cdep.metrics.json")) > 0, "the decoy words are penalised");
        Files.delete(tsv.resolve("vocabulary.txt"));
        Run noVocabulary = candor("train", "--init", lstm.toString(), "--data", tsv.toString(), "--out",
                dir.resolve("never.onnx").toString());
        assertEquals(1, noVocabulary.code());
        assertTrue(noVocabulary.err().contains("--vocabulary"), noVocabulary.err());
        Run nothing = candor("train", "--init", lstm.toString(), "--data", dir.resolve("empty").toString(), "--out",
                dir.resolve("never.onnx").toString());
        assertEquals(1, nothing.code());
        assertTrue(nothing.err().contains("image folders"), nothing.err());
    }

    @Test
    void aColourHasNoMaskSoCdepDrawsPixels() throws IOException {
        Path colours = dir.resolve("colours");
        assertEquals(0, candor("data", "make", "color-digits", "--out", colours.toString(), "--n-train", "128", "--n-val",
                "32", "--n-test", "32").code());
        Run unmarked = candor("train", "--arch", "color-cnn", "--data", colours.toString(), "--penalty", "cdep", "--lambda",
                "10", "--out", dir.resolve("never.onnx").toString());
        assertEquals(1, unmarked.code());
        assertTrue(unmarked.err().contains("--cdep-pixels"), unmarked.err());
        Run pixels = candor("train", "--arch", "color-cnn", "--data", colours.toString(), "--penalty", "cdep", "--lambda",
                "10", "--cdep-pixels", "2", "--epochs", "1", "--out", dir.resolve("colour-cdep.onnx").toString());
        assertEquals(0, pixels.code(), pixels.err());
        assertTrue(penalty(dir.resolve("colour-cdep.metrics.json")) > 0, "the drawn pixels are penalised");
    }
}
