package io.candor.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dictionary's page, from a dictionary made by hand. */
class DictionaryReportTest {
    @TempDir
    Path dir;

    private static Map<String, Object> dictionary() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("model", "biased.onnx");
        d.put("taps", List.of("pool2"));
        d.put("attributes", 3);
        d.put("epochs", List.of(Map.of("of", 2.0, "cd", -0.1, "total", 1.0), Map.of("of", 1.0, "cd", -0.5, "total", 0.4)));
        d.put("metrics", Map.of("samples", 200, "accuracyF", 0.8, "accuracyG", 0.75, "fidelity", 0.9,
                "conciseness", Map.of("1.5", 1.25)));
        d.put("classRelevance", new float[][] {{0.5f, 0, 0.1f}, {0, 1, -0.2f}});
        d.put("concepts", List.of(Map.of("name", "corner_patch", "attribute", 0, "auc", 0.83, "meanAbsWeight", 0.107,
                "weights", new double[] {0.2, -0.1}, "description", "a light <patch>")));
        d.put("biasExposure", Map.of("maskShare", new double[] {0.219, 0.05, 0.12}, "maskArea", 0.128,
                "samplesPerAttribute", 16, "mostInsideMask", 0));
        return d;
    }

    @Test
    void thePageSaysWhatTheDictionaryMeasuredAndShowsEveryPicture() throws Exception {
        Path pictures = dir.resolve("pictures");
        java.nio.file.Files.createDirectories(pictures);
        for (int j : new int[] {0, 2}) {
            AttributePictures.writePng(pictures.resolve("attribute_" + j + ".png"), new BufferedImage(1600, 100, BufferedImage.TYPE_INT_RGB));
        }
        String html = DictionaryReport.of(dictionary(), pictures, "candor interpret --taps pool2").html();
        assertTrue(html.contains("agrees with the model f on 90.0% of the 200 test samples"), "the summary");
        assertTrue(html.contains("attribute 0 (corner_patch): 21.9% of its input attribution falls inside the mask, which covers 12.8%"));
        assertTrue(html.contains("a light &lt;patch&gt;"), "descriptions are escaped");
        assertEquals(2, count(html, "<img"), "one picture per attribute_J.png, nothing for attribute 1");
        assertTrue(html.contains("attribute 2"));
        assertEquals(2, count(html, "class=\"series\""), "the two terms of the training curves: of, and cd");
        assertTrue(count(html, "candor interpret --taps pool2") >= 4, "the command under every figure");
        // A wide picture is embedded at half its size.
        String src = html.substring(html.indexOf("data:image/png;base64,") + 22);
        byte[] png = java.util.Base64.getDecoder().decode(src.substring(0, src.indexOf('"')));
        assertEquals(800, javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png)).getWidth());
    }

    @Test
    void withoutConceptsMaskOrPicturesThoseSectionsAreLeftOut() {
        Map<String, Object> d = dictionary();
        d.remove("concepts");
        d.remove("biasExposure");
        String html = DictionaryReport.of(d, null, "candor interpret").html();
        assertFalse(html.contains("Concepts") || html.contains("masked region") || html.contains("<img"), "nothing to show");
        assertTrue(html.contains("Which attributes each class relies on"));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}
