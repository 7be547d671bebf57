package io.candor.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.interop.CandorException;
import io.candor.interop.tensor.ImageOptions;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadersTest {
    @TempDir
    Path dir;

    private static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        return bytes.toByteArray();
    }

    @Test
    void mnistIdxFilesPlainAndGzipped() throws IOException {
        byte[] pixels = new byte[2 * 2 * 3];
        pixels[0] = (byte) 255;
        pixels[7] = (byte) 51;
        Files.write(dir.resolve("images.idx"), idx(0x803, new int[] {2, 2, 3}, pixels));
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(dir.resolve("labels.idx.gz")))) {
            gz.write(idx(0x801, new int[] {2}, new byte[] {7, 3}));
        }
        DatasetSplit split = MnistIdx.read(dir.resolve("images.idx"), dir.resolve("labels.idx.gz"));
        assertArrayEquals(new long[] {2, 1, 2, 3}, split.x().shape());
        assertEquals(1f, split.x().toFloatArray()[0]);
        assertEquals(0.2f, split.x().toFloatArray()[7], 1e-6f);
        assertArrayEquals(new long[] {7, 3}, split.labels());
        Files.write(dir.resolve("cut.idx"), java.util.Arrays.copyOf(idx(0x803, new int[] {2, 2, 3}, pixels), 20));
        CandorException cut = assertThrows(CandorException.class, () -> MnistIdx.readImages(dir.resolve("cut.idx")));
        assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());
        assertThrows(CandorException.class, () -> MnistIdx.readImages(dir.resolve("labels.idx.gz")));
    }

    private void png(Path file, int grey) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                image.setRGB(x, y, x < 2 ? grey * 0x010101 : 0);
            }
        }
        ImageIO.write(image, "png", file.toFile());
    }

    @Test
    void imageFoldersWithClassSubfoldersAndParallelMasks() throws IOException {
        png(dir.resolve("images/cat/a.png"), 10);
        png(dir.resolve("images/cat/b.png"), 20);
        png(dir.resolve("images/dog/c.png"), 30);
        png(dir.resolve("masks/cat/b.png"), 255);
        assertEquals(List.of("cat", "dog"), ImageFolder.classes(dir.resolve("images")));
        DatasetSplit split = ImageFolder.load(dir.resolve("images"), ImageOptions.plain(false), dir.resolve("masks"));
        assertArrayEquals(new long[] {0, 0, 1}, split.labels());
        assertArrayEquals(new long[] {3, 1, 4, 4}, split.mask().shape());
        float[] mask = split.mask().toFloatArray();
        assertEquals(0f, mask[0], "a has no mask file: nothing marked");
        assertEquals(1f, mask[16], "b's mask marks its left half");
        assertEquals(0f, mask[16 + 3]);
        assertNull(ImageFolder.load(dir.resolve("images"), ImageOptions.plain(true), null).mask());
        assertThrows(CandorException.class, () -> ImageFolder.classes(dir.resolve("masks/cat")));
    }

    @Test
    void tsvTextWithWordsLabelsAndAFixedLength() throws IOException {
        Path train = dir.resolve("train.tsv");
        Files.writeString(train, "sentence\tlabel\nA great, GREAT film!\tpos\nboring\tneg\n\nnot bad at all really\tpos\n");
        TsvText.Loaded loaded = TsvText.read(train, "sentence", "label", 4, null);
        assertEquals(List.of("neg", "pos"), loaded.classes());
        assertArrayEquals(new long[] {1, 0, 1}, loaded.split().labels());
        List<String> vocab = loaded.vocabulary();
        long[] ids = loaded.split().x().toLongArray();
        assertEquals(vocab.indexOf("a"), ids[0], "lower-cased words without punctuation");
        assertEquals(vocab.indexOf("great"), ids[2]);
        assertEquals(vocab.indexOf("film"), ids[3]);
        assertEquals(0, ids[4], "left padding");
        assertEquals(vocab.indexOf("boring"), ids[7]);
        assertEquals(vocab.indexOf("bad"), ids[8], "long sentences keep their last words (\"not\" is cut)");
        assertEquals(vocab.indexOf("all"), ids[10]);
        Path test = dir.resolve("test.tsv");
        Files.writeString(test, "label\tsentence\n1\tan unseen word\n0\tboring\n");
        TsvText.Loaded other = TsvText.read(test, "sentence", "label", 3, vocab);
        assertArrayEquals(new long[] {1, 1, 1}, java.util.Arrays.copyOf(other.split().x().toLongArray(), 3), "unknown words");
        assertArrayEquals(new long[] {1, 0}, other.split().labels());
        CandorException column = assertThrows(CandorException.class, () -> TsvText.read(test, "text", "label", 3, null));
        assertTrue(column.getMessage().contains("no column 'text'"), column.getMessage());
        assertEquals(null, loaded.split().mask(), "no spurious words, no mask");
        // A split read with the training split's classes keeps their ids, and refuses a label they lack.
        Path val = dir.resolve("val.tsv");
        Files.writeString(val, "sentence\tlabel\ngood\tpos\n");
        assertArrayEquals(new long[] {1}, TsvText.read(val, "sentence", "label", 4, vocab, java.util.Set.of(),
                loaded.classes()).split().labels(), "pos is 1 as in training, not 0 as alone");
        Files.writeString(val, "sentence\tlabel\nmeh\tmixed\n");
        assertThrows(CandorException.class, () -> TsvText.read(val, "sentence", "label", 4, vocab, java.util.Set.of(),
                loaded.classes()));
    }

    @Test
    void spuriousWordsAreMarkedWhereverTheyOccur() throws IOException {
        Path train = dir.resolve("decoys.tsv");
        Files.writeString(train, "text\tlabel\nthe video was video dull\t0\ntext is great\t1\n");
        TsvText.Loaded loaded = TsvText.read(train, "text", "label", 5, null, java.util.Set.of("video", "text"));
        // Row 0 fills all five steps; row 1 is padded on the left by two.
        assertArrayEquals(new long[] {2, 5}, loaded.split().mask().shape());
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 0, 0, 1, 0, 0}, loaded.split().mask().toFloatArray());
    }
}
