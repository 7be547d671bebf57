package io.candor.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.attribution.render.DivergingColors;
import io.candor.attribution.render.Heatmap;
import io.candor.interop.exec.Executor;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.testing.Arrays2;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttributePicturesTest {
    /** The layout of a row: tiles 8 px apart, after an 8 px margin; 4 x 4 inputs are drawn 56 times larger. */
    private static final int GAP = 8;
    private static final int SIDE = 224;
    private static final int TITLE = 24;

    private static AttributePictures pictures(Executor ex) {
        return new AttributePictures(AttributeAttribution.of(ex), ActivationMaximisation.of(ex, -1, 1)
                .withSettings(ActivationMaximisation.Settings.flint().withSteps(1, 3)));
    }

    private static int[] rgb(BufferedImage image, int x, int y) {
        int c = image.getRGB(x, y);
        return new int[] {(c >> 16) & 255, (c >> 8) & 255, c & 255};
    }

    @Test
    void writesAGreyRowPerAttributeWithHeatmapsThatFollowTheWeights(@TempDir Path dir) throws IOException {
        // Attribute 0 weighs pixel 0 most (+) and pixel 15 least (-).
        float[][] w = {new float[16], Arrays2.random(3, 16)};
        for (int i = 0; i < 16; i++) {
            w[0][i] = 1 - i / 7.5f;
        }
        float[] x = Arrays2.random(9, 5 * 16);
        x[2 * 16 + 5] = 10; // sample 2: brightest at (row 1, column 1)
        x[2 * 16 + 10] = -10; // and darkest at (row 2, column 2)
        HostTensor inputs = HostTensor.ofFloats(new long[] {5, 1, 4, 4}, x);
        float[][] relevance = {{0.9f, -0.2f}, {0.1f, 0.5f}};
        try (Executor ex = Executor.of(AttributeAttributionTest.linear(1, 4, 4, w))) {
            List<Path> files = pictures(ex).write(dir, inputs, new int[][] {{2, 0}, {3, 1}}, relevance);
            assertEquals(List.of(dir.resolve("attribute_0.png"), dir.resolve("attribute_1.png"),
                    dir.resolve("relevance.png")), files);
        }
        try (Stream<Path> listed = Files.list(dir)) {
            assertEquals(3, listed.count(), "no temporary files are left");
        }
        BufferedImage row = ImageIO.read(dir.resolve("attribute_0.png").toFile());
        assertNotNull(row);
        int heatWidth = Heatmap.render(new float[16], 4, 4, null, "").getWidth();
        // Two samples, two heatmaps, one activation-maximisation picture.
        assertEquals(GAP + 2 * (SIDE + GAP) + 2 * (heatWidth + GAP) + SIDE + GAP, row.getWidth());
        assertEquals(SIDE + TITLE + 4 + GAP, row.getHeight());
        // The first tile is sample 2 in grey, stretched: its brightest pixel white, its darkest black.
        int[] bright = rgb(row, GAP + 56 + 28, TITLE + 56 + 28);
        int[] dark = rgb(row, GAP + 2 * 56 + 28, TITLE + 2 * 56 + 28);
        assertEquals(List.of(255, 255, 255), List.of(bright[0], bright[1], bright[2]));
        assertEquals(List.of(0, 0, 0), List.of(dark[0], dark[1], dark[2]));
        int[] other = rgb(row, GAP + 3 * 56 + 28, TITLE + 28);
        assertTrue(other[0] == other[1] && other[1] == other[2], "grey: " + java.util.Arrays.toString(other));
        // The first heatmap (dPhi_0/dx = W row 0): red where W is largest (pixel 0), blue where it is smallest.
        int heat = GAP + 2 * (SIDE + GAP);
        int[] top = rgb(row, heat + 28, TITLE + 28);
        int[] bottom = rgb(row, heat + 3 * 56 + 28, TITLE + 3 * 56 + 28);
        assertTrue(top[0] > top[2] + 80, "red at W's maximum: " + java.util.Arrays.toString(top));
        assertTrue(bottom[2] > bottom[0] + 80, "blue at W's minimum: " + java.util.Arrays.toString(bottom));
    }

    @Test
    void colourInputsGiveColourPictures(@TempDir Path dir) throws IOException {
        float[] x = new float[2 * 3 * 16];
        for (int i = 0; i < 16; i++) {
            x[i] = 1; // sample 0: red everywhere (R = 1, G = B = 0)
            x[3 * 16 + 16 + i] = i; // sample 1: a green ramp
        }
        float[][] w = {Arrays2.random(4, 48)};
        try (Executor ex = Executor.of(AttributeAttributionTest.linear(3, 4, 4, w))) {
            pictures(ex).write(dir, HostTensor.ofFloats(new long[] {2, 3, 4, 4}, x), new int[][] {{0}},
                    new float[][] {{1}});
        }
        BufferedImage row = ImageIO.read(dir.resolve("attribute_0.png").toFile());
        int[] red = rgb(row, GAP + 100, TITLE + 100);
        assertEquals(List.of(255, 0, 0), List.of(red[0], red[1], red[2]));
    }

    @Test
    void theRelevanceMatrixHasSixteenPixelCellsAndItsStrongestCellIsTheMostSaturated(@TempDir Path dir)
            throws IOException {
        float[][] r = {{0.9f, 0.2f, 0f, -0.3f}, {0.1f, -0.6f, 0.4f, 0.05f}, {0f, 0f, 0.3f, -0.1f}};
        Path file = AttributePictures.writeRelevance(dir, r, List.of("zero", "one", "two"));
        BufferedImage image = ImageIO.read(file.toFile());
        // Locate cell (0, 0) by its colour (the first such pixel, row by row), and measure its runs.
        int strongest = DivergingColors.rgb(0.9) & 0xffffff;
        int minX = -1;
        int minY = -1;
        for (int y = 0; y < image.getHeight() && minX < 0; y++) {
            for (int x = 0; x < image.getWidth() && minX < 0; x++) {
                if ((image.getRGB(x, y) & 0xffffff) == strongest) {
                    minX = x;
                    minY = y;
                }
            }
        }
        assertTrue(minX >= 0, "a cell has the colour of r = 0.9");
        int width = 0;
        while ((image.getRGB(minX + width, minY) & 0xffffff) == strongest) {
            width++;
        }
        int height = 0;
        while ((image.getRGB(minX, minY + height) & 0xffffff) == strongest) {
            height++;
        }
        assertEquals(AttributePictures.CELL, width);
        assertEquals(AttributePictures.CELL, height);
        assertTrue(image.getWidth() >= 4 * AttributePictures.CELL && image.getHeight() >= 3 * AttributePictures.CELL);
        // Saturation (max - min channel) at each cell's centre grows with |r|; the sign picks red or blue.
        double best = -1;
        for (int c = 0; c < 3; c++) {
            for (int j = 0; j < 4; j++) {
                int[] p = rgb(image, minX + j * 16 + 8, minY + c * 16 + 8);
                int saturation = Math.max(p[0], Math.max(p[1], p[2])) - Math.min(p[0], Math.min(p[1], p[2]));
                if (c == 0 && j == 0) {
                    best = saturation;
                } else {
                    assertTrue(saturation < best, "cell " + c + "," + j + " is less saturated than the strongest");
                }
                if (r[c][j] > 0) {
                    assertTrue(p[0] > p[2], "positive is red at " + c + "," + j);
                } else if (r[c][j] < 0) {
                    assertTrue(p[2] > p[0], "negative is blue at " + c + "," + j);
                }
            }
        }
        int[] weaker = rgb(image, minX + 2 * 16 + 8, minY + 16 + 8);
        int[] stronger = rgb(image, minX + 16 + 8, minY + 16 + 8);
        assertTrue(stronger[2] - stronger[0] > weaker[0] - weaker[2], "|-0.6| shows stronger than 0.4");
    }

    @Test
    void tokenInputsGetNoPictures(@TempDir Path dir) throws IOException {
        try (Executor ex = Executor.of(AttributeAttributionTest.linear(1, 2, 2, new float[][] {{1, 2, 3, 4}}))) {
            List<Path> files = pictures(ex).write(dir, HostTensor.ofLongs(new long[] {2, 4}, 1, 2, 3, 4, 5, 6, 7, 8),
                    new int[][] {{0}}, new float[][] {{1}});
            assertTrue(files.isEmpty());
        }
        try (Stream<Path> listed = Files.list(dir)) {
            assertEquals(0, listed.count());
        }
    }
}
