package io.candor.interop.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.interop.CandorException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageTensorsTest {
    @TempDir
    Path dir;

    private Path png(String name, int w, int h, int rgb) throws IOException {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, x == 0 && y == 0 ? 0xffffff : rgb);
            }
        }
        Path file = dir.resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    @Test
    void loadsChannelsInRgbOrderWithMeanAndStd() throws IOException {
        Path file = png("a.png", 3, 2, 0x336699);
        HostTensor t = ImageTensors.load(file, ImageOptions.plain(false));
        assertArrayEquals(new long[] {1, 3, 2, 3}, t.shape());
        float[] v = t.toFloatArray();
        assertEquals(1f, v[0], 1e-6f, "the white corner");
        assertEquals(0x33 / 255f, v[1], 1e-6f, "red plane first");
        assertEquals(0x66 / 255f, v[6 + 1], 1e-6f, "then green");
        assertEquals(0x99 / 255f, v[12 + 1], 1e-6f, "then blue");
        HostTensor norm = ImageTensors.load(file, new ImageOptions(0, 0, new float[] {0.5f, 0.5f, 0.5f},
                new float[] {0.25f, 0.5f, 1f}, false));
        assertEquals((0x33 / 255f - 0.5f) / 0.25f, norm.toFloatArray()[1], 1e-6f);
        HostTensor grey = ImageTensors.load(file, ImageOptions.plain(true));
        assertArrayEquals(new long[] {1, 1, 2, 3}, grey.shape());
        assertEquals((0.299f * 0x33 + 0.587f * 0x66 + 0.114f * 0x99) / 255f, grey.toFloatArray()[1], 1e-5f);
        BufferedImage back = ImageTensors.toImage(norm, 0, new ImageOptions(0, 0, new float[] {0.5f, 0.5f, 0.5f},
                new float[] {0.25f, 0.5f, 1f}, false));
        assertEquals(0x336699, back.getRGB(1, 1) & 0xffffff, "toImage undoes the standardisation");
    }

    @Test
    void resizesAndStacksAFolderInNameOrder() throws IOException {
        png("b.png", 8, 8, 0x000000);
        png("a.png", 4, 6, 0x00ff00);
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        List<Path> files = ImageTensors.listImages(dir);
        assertEquals(List.of(dir.resolve("a.png"), dir.resolve("b.png")), files);
        HostTensor t = ImageTensors.loadAll(files, new ImageOptions(5, 5, null, null, false));
        assertArrayEquals(new long[] {2, 3, 5, 5}, t.shape());
        CandorException sizes = assertThrows(CandorException.class, () -> ImageTensors.loadAll(files, ImageOptions.plain(false)));
        assertTrue(sizes.getMessage().contains("b.png"), sizes.getMessage());
    }

    @Test
    void badImagesAreNamed() throws IOException {
        Path text = dir.resolve("fake.png");
        Files.writeString(text, "not a png");
        CandorException e = assertThrows(CandorException.class, () -> ImageTensors.load(text, ImageOptions.plain(false)));
        assertTrue(e.getMessage().contains("fake.png"), e.getMessage());
        assertThrows(CandorException.class, () -> ImageTensors.listImages(dir.resolve("missing")));
        Path ok = png("ok.png", 2, 2, 0);
        assertThrows(CandorException.class, () -> ImageTensors.load(ok, new ImageOptions(0, 0, null, new float[] {0f}, false)));
        assertThrows(CandorException.class, () -> ImageTensors.load(ok, new ImageOptions(0, 0, new float[] {1, 2}, null, false)));
    }
}
