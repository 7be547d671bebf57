package io.candor.interop.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.interop.CandorException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class ImageTensorsTest {
    private static final float EPS = 1e-6f;

    @TempDir
    Path dir;

    /** Writes a PNG whose pixel (x, y) is {@code rgb[y][x]} (0xRRGGBB). */
    private Path png(String name, int[][] rgb) throws IOException {
        BufferedImage image = new BufferedImage(rgb[0].length, rgb.length, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < rgb.length; y++) {
            for (int x = 0; x < rgb[0].length; x++) {
                image.setRGB(x, y, rgb[y][x]);
            }
        }
        return write(image, name, "png");
    }

    private Path solid(String name, int w, int h, int rgb) throws IOException {
        int[][] pixels = new int[h][w];
        for (int[] row : pixels) {
            Arrays.fill(row, rgb);
        }
        return png(name, pixels);
    }

    /** Writes an 8-bit grey PNG whose pixel (x, y) is {@code grey[y][x]}. */
    private Path greyPng(String name, int[][] grey) throws IOException {
        BufferedImage image = new BufferedImage(grey[0].length, grey.length, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < grey.length; y++) {
            for (int x = 0; x < grey[0].length; x++) {
                image.getRaster().setSample(x, y, 0, grey[y][x]);
            }
        }
        return write(image, name, "png");
    }

    private Path write(BufferedImage image, String name, String format) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(image, format, file.toFile()), "ImageIO writes " + format);
        return file;
    }

    private static CandorException assertFails(Executable load, String... fragments) {
        CandorException e = assertThrows(CandorException.class, load);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should contain '" + f + "'");
        }
        return e;
    }

    // ---------------------------------------------------------------------------------------------
    // Values

    @Test
    void loadsEveryPixelInRgbPlanes() throws IOException {
        int[][] pixels = {{0x102030, 0x405060, 0x708090}, {0xa0b0c0, 0xd0e0f0, 0xff0001}};
        HostTensor t = ImageTensors.load(png("a.png", pixels), ImageOptions.plain(false));
        assertEquals(DataType.FLOAT32, t.type());
        assertArrayEquals(new long[] {1, 3, 2, 3}, t.shape());
        float[] v = t.toFloatArray();
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                int p = pixels[y][x];
                assertEquals((p >> 16 & 255) / 255f, v[y * 3 + x], EPS, "red plane first");
                assertEquals((p >> 8 & 255) / 255f, v[6 + y * 3 + x], EPS, "then green");
                assertEquals((p & 255) / 255f, v[12 + y * 3 + x], EPS, "then blue");
            }
        }
    }

    @Test
    void standardisesPerChannelAfterScalingToUnit() throws IOException {
        Path file = solid("a.png", 2, 2, 0x336699);
        float[] mean = {0.485f, 0.456f, 0.406f};
        float[] std = {0.229f, 0.224f, 0.225f};
        float[] v = ImageTensors.load(file, new ImageOptions(0, 0, mean, std, false)).toFloatArray();
        assertEquals((0x33 / 255f - mean[0]) / std[0], v[0], 1e-5f);
        assertEquals((0x66 / 255f - mean[1]) / std[1], v[4], 1e-5f);
        assertEquals((0x99 / 255f - mean[2]) / std[2], v[8], 1e-5f);
        float[] shared = ImageTensors.load(file, new ImageOptions(0, 0, new float[] {0.5f}, new float[] {0.5f}, false))
                .toFloatArray();
        assertEquals((0x33 / 255f - 0.5f) / 0.5f, shared[0], 1e-5f, "one value serves every channel");
        assertEquals((0x99 / 255f - 0.5f) / 0.5f, shared[8], 1e-5f);
    }

    @Test
    void grayscaleTakesLumaOfColourImages() throws IOException {
        HostTensor grey = ImageTensors.load(solid("a.png", 3, 2, 0x336699), ImageOptions.plain(true));
        assertArrayEquals(new long[] {1, 1, 2, 3}, grey.shape());
        assertEquals((0.299f * 0x33 + 0.587f * 0x66 + 0.114f * 0x99) / 255f, grey.toFloatArray()[5], 1e-5f);
    }

    @Test
    void greyImagesGiveTheirRawLevels() throws IOException {
        Path file = greyPng("g.png", new int[][] {{0, 64, 128, 255}});
        float[] one = ImageTensors.load(file, ImageOptions.plain(true)).toFloatArray();
        // BufferedImage.getRGB would read 64 as 137: Java treats grey as linear and converts to sRGB.
        assertArrayEquals(new float[] {0, 64 / 255f, 128 / 255f, 1}, one, EPS);
        HostTensor three = ImageTensors.load(file, ImageOptions.plain(false));
        assertArrayEquals(new long[] {1, 3, 1, 4}, three.shape());
        float[] v = three.toFloatArray();
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(one, Arrays.copyOfRange(v, 4 * k, 4 * k + 4), EPS, "grey in every channel");
        }
    }

    @Test
    void sixteenBitGreyIsScaledByItsOwnMaximum() throws IOException {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        image.getRaster().setSample(0, 0, 0, 65535);
        image.getRaster().setSample(1, 0, 0, 16384);
        float[] v = ImageTensors.load(write(image, "g16.png", "png"), ImageOptions.plain(true)).toFloatArray();
        assertArrayEquals(new float[] {1, 16384 / 65535f}, v, EPS);
    }

    @Test
    void dropsAlpha() throws IOException {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0x80ff8040);
        image.setRGB(1, 0, 0x00204060);
        float[] v = ImageTensors.load(write(image, "alpha.png", "png"), ImageOptions.plain(false)).toFloatArray();
        assertArrayEquals(new float[] {1, 0x20 / 255f, 0x80 / 255f, 0x40 / 255f, 0x40 / 255f, 0x60 / 255f}, v, EPS);
    }

    @Test
    void readsJpegs() throws IOException {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                image.setRGB(x, y, 0x4080c0);
            }
        }
        float[] v = ImageTensors.load(write(image, "photo.jpg", "jpg"), ImageOptions.plain(false)).toFloatArray();
        assertEquals(0x40 / 255f, v[0], 4 / 255f, "lossy, but close");
        assertEquals(0x80 / 255f, v[256], 4 / 255f);
        assertEquals(0xc0 / 255f, v[512], 4 / 255f);
    }

    // ---------------------------------------------------------------------------------------------
    // Resizing and batches

    @Test
    void resizesBilinearlyWithHalfPixelCentres() throws IOException {
        Path wide = greyPng("two.png", new int[][] {{0, 255}});
        float[] up = ImageTensors.load(wide, new ImageOptions(1, 4, null, null, true)).toFloatArray();
        // source x = (x + 0.5) / 2 - 0.5, clamped: 0, 0.25, 0.75, 1 (PyTorch, align_corners=False)
        assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1}, up, EPS);
        Path square = greyPng("four.png", new int[][] {
            {0, 40, 80, 120}, {0, 40, 80, 120}, {200, 240, 200, 240}, {200, 240, 200, 240}});
        float[] down = ImageTensors.load(square, new ImageOptions(2, 2, null, null, true)).toFloatArray();
        // source x and y = 0.5 and 2.5: the mean of each 2 x 2 block
        assertArrayEquals(new float[] {20 / 255f, 100 / 255f, 220 / 255f, 220 / 255f}, down, 1e-5f);
        HostTensor only = ImageTensors.load(wide, new ImageOptions(3, 0, null, null, true));
        assertArrayEquals(new long[] {1, 1, 3, 2}, only.shape(), "a size of 0 keeps that axis");
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 1}, only.toFloatArray(), EPS);
    }

    @Test
    void resizesEveryColourChannel() throws IOException {
        HostTensor t = ImageTensors.load(png("c.png", new int[][] {{0x000000, 0xff80ff}}),
                new ImageOptions(1, 4, null, null, false));
        float[] v = t.toFloatArray();
        assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1}, Arrays.copyOfRange(v, 0, 4), EPS);
        assertArrayEquals(new float[] {0, 0.25f * 128 / 255f, 0.75f * 128 / 255f, 128 / 255f},
                Arrays.copyOfRange(v, 4, 8), EPS);
    }

    @Test
    void loadsABatchInTheOrderGiven() throws IOException {
        Path a = solid("a.png", 4, 6, 0x00ff00);
        Path b = solid("b.png", 8, 8, 0xff0000);
        HostTensor t = ImageTensors.loadAll(List.of(b, a), new ImageOptions(5, 7, null, null, false));
        assertArrayEquals(new long[] {2, 3, 5, 7}, t.shape());
        float[] v = t.toFloatArray();
        int plane = 5 * 7;
        assertEquals(1f, v[0], EPS, "b first: red");
        assertEquals(0f, v[plane], EPS);
        assertEquals(0f, v[3 * plane], EPS, "then a: green");
        assertEquals(1f, v[4 * plane], EPS);
        HostTensor same = ImageTensors.loadAll(List.of(a, a), ImageOptions.plain(true));
        assertArrayEquals(new long[] {2, 1, 6, 4}, same.shape(), "no size: the images' own");
    }

    @Test
    void imagesOfDifferentSizesNeedASize() throws IOException {
        Path a = solid("a.png", 4, 4, 0);
        Path b = solid("b.png", 4, 4, 0);
        Path c = solid("c.png", 5, 4, 0);
        Path d = solid("d.png", 6, 4, 0);
        assertFails(() -> ImageTensors.loadAll(List.of(a, b, c, d), ImageOptions.plain(false)),
                "c.png is 5x4", "a.png is 4x4", "give a size");
        assertArrayEquals(new long[] {4, 3, 4, 4},
                ImageTensors.loadAll(List.of(a, b, c, d), new ImageOptions(4, 4, null, null, false)).shape());
    }

    @Test
    void listsAFolderSortedByName() throws IOException {
        Path folder = dir.resolve("images");
        solid("images/b.png", 2, 2, 0);
        solid("images/a.JPG", 2, 2, 0); // a PNG in disguise: the name decides what is listed
        solid("images/c.jpeg", 2, 2, 0);
        solid("images/.hidden.png", 2, 2, 0);
        Files.writeString(folder.resolve("notes.txt"), "not an image");
        Files.createDirectories(folder.resolve("sub.png"));
        assertEquals(List.of(folder.resolve("a.JPG"), folder.resolve("b.png"), folder.resolve("c.jpeg")),
                ImageTensors.listImages(folder));
        Path one = folder.resolve("b.png");
        assertEquals(List.of(one), ImageTensors.listImages(one), "a file is itself");
        Files.createDirectories(dir.resolve("empty"));
        assertFails(() -> ImageTensors.listImages(dir.resolve("empty")), "empty", "no .png, .jpg or .jpeg files");
        assertFails(() -> ImageTensors.listImages(dir.resolve("missing")), "missing", "does not exist");
    }

    // ---------------------------------------------------------------------------------------------
    // Errors

    @Test
    void badFilesAreNamed() throws IOException {
        Path text = dir.resolve("fake.png");
        Files.writeString(text, "not a png");
        assertFails(() -> ImageTensors.load(text, ImageOptions.plain(false)), "fake.png", "not a PNG or JPEG");
        assertFails(() -> ImageTensors.load(dir.resolve("gone.png"), ImageOptions.plain(false)), "gone.png",
                "does not exist");
        assertFails(() -> ImageTensors.load(dir, ImageOptions.plain(false)), dir.toString(), "folder");
        byte[] whole = Files.readAllBytes(solid("whole.png", 32, 32, 0x123456));
        Path cut = dir.resolve("cut.png");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        assertFails(() -> ImageTensors.load(cut, ImageOptions.plain(false)), "cut.png");
        Path ok = solid("ok.png", 2, 2, 0);
        assertFails(() -> ImageTensors.loadAll(List.of(), ImageOptions.plain(false)), "no image files");
        assertFails(() -> ImageTensors.loadAll(List.of(ok, text), ImageOptions.plain(false)), "fake.png");
    }

    @Test
    void statisticsMustFitTheChannels() throws IOException {
        Path ok = solid("ok.png", 2, 2, 0);
        assertFails(() -> ImageTensors.load(ok, new ImageOptions(0, 0, new float[] {1, 2}, null, false)),
                "ok.png", "mean has 2 values", "3 channels");
        assertFails(() -> ImageTensors.load(ok, new ImageOptions(0, 0, null, new float[] {1, 1, 1}, true)),
                "ok.png", "std has 3 values", "1 channel");
        assertFails(() -> ImageTensors.load(ok, new ImageOptions(0, 0, null, new float[] {0.2f, 0f, 0.2f}, false)),
                "ok.png", "must not be 0");
        assertFails(() -> ImageTensors.load(ok, new ImageOptions(0, 0, new float[] {Float.NaN}, null, false)),
                "ok.png", "NaN");
    }

    // ---------------------------------------------------------------------------------------------
    // Back to pictures

    @Test
    void toImageUndoesTheStandardisation() throws IOException {
        int[][] pixels = {{0x102030, 0x405060}, {0xffffff, 0x000000}};
        Path file = png("p.png", pixels);
        float[] mean = {0.485f, 0.456f, 0.406f};
        float[] std = {0.229f, 0.224f, 0.225f};
        HostTensor t = ImageTensors.loadAll(List.of(solid("first.png", 2, 2, 0x777777), file),
                new ImageOptions(0, 0, mean, std, false));
        BufferedImage back = ImageTensors.toImage(t, 1, mean, std);
        assertEquals(2, back.getWidth());
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 2; x++) {
                assertEquals(pixels[y][x], back.getRGB(x, y) & 0xffffff, "pixel " + x + "," + y);
            }
        }
        BufferedImage viaOptions = ImageTensors.toImage(t, 0, new ImageOptions(0, 0, mean, std, false));
        assertEquals(0x777777, viaOptions.getRGB(1, 1) & 0xffffff);
    }

    @Test
    void toImageOfOneChannelIsGreyAndClamps() {
        HostTensor t = HostTensor.ofFloats(new long[] {1, 1, 1, 4}, -0.5f, 0.25f, 1f, 7f);
        BufferedImage image = ImageTensors.toImage(t, 0, null, null);
        assertEquals(0x000000, image.getRGB(0, 0) & 0xffffff, "below 0 clamps to black");
        assertEquals(0x404040, image.getRGB(1, 0) & 0xffffff, "0.25 * 255 = 63.75 rounds to 64");
        assertEquals(0xffffff, image.getRGB(2, 0) & 0xffffff);
        assertEquals(0xffffff, image.getRGB(3, 0) & 0xffffff, "above 1 clamps to white");
    }

    @Test
    void toImageRefusesWhatIsNotAPicture() {
        HostTensor two = HostTensor.ofFloats(new long[] {2, 1, 1, 1}, 0, 1);
        assertFails(() -> ImageTensors.toImage(two, 2, null, null), "image 2", "holding 2");
        assertFails(() -> ImageTensors.toImage(two, -1, null, null), "image -1");
        assertFails(() -> ImageTensors.toImage(HostTensor.ofFloats(new long[] {1, 2, 1, 1}, 0, 1), 0, null, null),
                "C 1 or 3");
        assertFails(() -> ImageTensors.toImage(HostTensor.ofFloats(new long[] {4}, 0, 1, 2, 3), 0, null, null),
                "N x C x H x W");
        assertFails(() -> ImageTensors.toImage(two, 0, new float[] {0, 0, 0}, null), "mean has 3 values");
    }

    @Test
    void optionsAreImmutableValues() {
        float[] mean = {0.5f, 0.5f, 0.5f};
        ImageOptions o = new ImageOptions(4, 4, mean, null, false);
        mean[0] = 9;
        assertEquals(0.5f, o.mean()[0], "copied in");
        o.mean()[1] = 9;
        assertEquals(0.5f, o.mean()[1], "copied out");
        assertEquals(new ImageOptions(4, 4, new float[] {0.5f, 0.5f, 0.5f}, null, false), o);
        assertEquals(new ImageOptions(4, 4, new float[] {0.5f, 0.5f, 0.5f}, null, false).hashCode(), o.hashCode());
        assertNotEquals(new ImageOptions(4, 4, new float[] {0.5f}, null, false), o);
        assertFalse(o.toString().contains("[F@"), o.toString());
        assertEquals(3, o.channels());
        assertEquals(1, ImageOptions.plain(true).channels());
        assertSame(null, ImageOptions.plain(true).std());
    }
}
