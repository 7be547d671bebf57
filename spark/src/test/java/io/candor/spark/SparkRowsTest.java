package io.candor.spark;

import static io.candor.spark.SmallLesions.candor;
import static io.candor.spark.SmallLesions.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.candor.interop.tensor.ImageOptions;
import io.candor.models.data.DatasetFolder;
import io.candor.models.data.DatasetSplit;
import io.candor.models.data.ImageFolder;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code data parquet} writes a dataset folder's split or an image folder as rows that read back as the
 * same split, and {@code explain --data ROWS.parquet --spark} explains them as it explains the folder.
 */
class SparkRowsTest {
    @TempDir
    Path dir;

    /** The rows at {@code parquet} as a split, in id order (in a session of the test's own, stopped after). */
    private static DatasetSplit read(Path parquet) {
        SparkSession spark = Sessions.open("local[1]");
        try {
            var rows = spark.read().parquet(parquet.toString());
            List<Row> ordered = TensorRows.canonical(rows).orderBy(TensorRows.ID).collectAsList();
            for (int i = 0; i < ordered.size(); i++) {
                assertEquals(i, ordered.get(i).getLong(0), "ids run 0 .. N-1");
            }
            return TensorRows.split(ordered, TensorRows.layout(rows.schema()));
        } finally {
            spark.stop();
        }
    }

    /** Rows of an explanations.parquet, by id: the attributions' bytes and the CD parts. */
    private static List<Row> explanations(Path parquet) {
        SparkSession spark = Sessions.open("local[1]");
        try {
            return spark.read().parquet(parquet.toString()).orderBy(TensorRows.ID).collectAsList();
        } finally {
            spark.stop();
        }
    }

    @Test
    void aDatasetFoldersSplitAsRowsReadsBackAndExplainsAsTheFolderDoes() throws Exception {
        Path data = SmallLesions.data();
        Path rows = dir.resolve("val.parquet");
        String printed = candor("data", "parquet", "--data", data.toString(), "--split", "val", "--out", rows.toString());
        assertTrue(printed.contains("wrote 50 rows"), printed);
        DatasetSplit folder = DatasetFolder.read(data, "val");
        DatasetSplit back = read(rows);
        assertArrayEquals(folder.x().toFloatArray(), back.x().toFloatArray());
        assertArrayEquals(folder.labels(), back.labels());
        assertArrayEquals(folder.mask().toFloatArray(), back.mask().toFloatArray(), "a mask per sample");

        String model = SmallLesions.model().toString();
        candor("explain", "--model", model, "--data", rows.toString(), "--method", "cd", "--spark", "--out",
                dir.resolve("from-rows").toString());
        candor("explain", "--model", model, "--data", data.toString(), "--split", "val", "--method", "cd", "--spark",
                "--out", dir.resolve("from-folder").toString());
        List<Row> a = explanations(dir.resolve("from-rows/explanations.parquet"));
        List<Row> b = explanations(dir.resolve("from-folder/explanations.parquet"));
        assertEquals(50, a.size());
        for (int i = 0; i < a.size(); i++) {
            for (String column : List.of("id", "label", "target", "logit", SparkExplanation.ATTRIBUTIONS, "cd_relevant")) {
                Object x = a.get(i).getAs(column);
                Object y = b.get(i).getAs(column);
                assertTrue(x instanceof byte[] bx ? java.util.Arrays.equals(bx, (byte[]) y) : x.equals(y),
                        "row " + i + ", " + column + ": the same batches give the same values");
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode fromRows = (ObjectNode) json.readTree(dir.resolve("from-rows/summary.json").toFile());
        ObjectNode fromFolder = (ObjectNode) json.readTree(dir.resolve("from-folder/summary.json").toFile());
        assertEquals(rows.toString(), fromRows.remove("data").asText());
        fromFolder.remove("data");
        // Per-class means are summed partition by partition, and the rows' partitions are not the folder's:
        // the last bits of a mean may differ, nothing else.
        ObjectNode shareRows = (ObjectNode) fromRows.path("classes").path("0");
        ObjectNode shareFolder = (ObjectNode) fromFolder.path("classes").path("0");
        assertEquals(shareFolder.remove("cdShare").asDouble(), shareRows.remove("cdShare").asDouble(), 1e-12);
        assertEquals(fromFolder, fromRows);
        float[] meanRows = io.candor.interop.tensor.Npy.read(dir.resolve("from-rows/mean-abs-class-0.npy")).toFloatArray();
        float[] meanFolder = io.candor.interop.tensor.Npy.read(dir.resolve("from-folder/mean-abs-class-0.npy")).toFloatArray();
        assertArrayEquals(meanFolder, meanRows, 1e-6f);
        for (int id = 0; id < 16; id++) {
            assertArrayEquals(Files.readAllBytes(dir.resolve(String.format("from-folder/heatmap_%03d.png", id))),
                    Files.readAllBytes(dir.resolve(String.format("from-rows/heatmap_%03d.png", id))), "heatmap " + id);
        }
    }

    @Test
    void anImageFolderIsDecodedByTheWorkersAsTrainingReadsIt() throws Exception {
        Path images = dir.resolve("images");
        Path masks = dir.resolve("masks");
        java.util.Random random = new java.util.Random(4);
        for (String c : List.of("cat", "ant")) {
            for (int i = 0; i < 3; i++) {
                BufferedImage img = new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 10; y++) {
                    for (int x = 0; x < 12; x++) {
                        img.setRGB(x, y, random.nextInt(1 << 24));
                    }
                }
                Path file = images.resolve("val").resolve(c).resolve("img" + i + ".png");
                Files.createDirectories(file.getParent());
                ImageIO.write(img, "png", file.toFile());
            }
        }
        BufferedImage mask = new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB);
        for (int y = 2; y < 8; y++) {
            for (int x = 2; x < 9; x++) {
                mask.setRGB(x, y, 0xffffff);
            }
        }
        Path maskFile = masks.resolve("val/cat/img1.png");
        Files.createDirectories(maskFile.getParent());
        ImageIO.write(mask, "png", maskFile.toFile());

        Path rows = dir.resolve("images.parquet");
        candor("data", "parquet", "--data", images.toString(), "--split", "val", "--size", "8,8", "--masks", masks.toString(),
                "--mean", "0.5,0.5,0.5", "--spark", "local[2]", "--out", rows.toString());
        DatasetSplit expected = ImageFolder.load(images.resolve("val"), new ImageOptions(8, 8, new float[] {0.5f, 0.5f, 0.5f},
                null, false), masks.resolve("val"));
        DatasetSplit back = read(rows);
        assertArrayEquals(new long[] {0, 0, 0, 1, 1, 1}, back.labels(), "classes in sorted order: ant, cat");
        assertArrayEquals(expected.x().shape(), back.x().shape());
        assertArrayEquals(expected.x().toFloatArray(), back.x().toFloatArray());
        assertArrayEquals(expected.mask().toFloatArray(), back.mask().toFloatArray());
        assertArrayEquals(new boolean[] {false, false, false, false, true, false}, new boolean[] {has(back, 0), has(back, 1),
            has(back, 2), has(back, 3), has(back, 4), has(back, 5)}, "cat/img1 alone carries a mask");

        SmallLesions.Failure f = fails("data", "parquet", "--data", images.toString(), "--split", "val", "--out",
                dir.resolve("x.parquet").toString());
        assertTrue(f.code() == 2 && f.message().contains("--model or --size"), f.toString());
        f = fails("data", "parquet", "--data", SmallLesions.data().toString(), "--size", "8,8", "--out",
                dir.resolve("x.parquet").toString());
        assertTrue(f.code() == 2 && f.message().contains("image folders"), f.toString());
        f = fails("data", "parquet", "--data", images.toString(), "--split", "val", "--size", "8,8", "--out", rows.toString());
        assertTrue(f.code() == 1 && f.message().contains("exists already"), f.toString());
        // A picture no worker can decode: Candor's own message, and nothing left behind.
        Files.write(images.resolve("val/cat/broken.png"), new byte[] {1, 2, 3, 4});
        f = fails("data", "parquet", "--data", images.toString(), "--split", "val", "--size", "8,8", "--out",
                dir.resolve("x.parquet").toString());
        assertTrue(f.code() == 1 && f.message().contains("broken.png") && !f.message().contains("Exception"), f.toString());
        assertNull(Files.exists(dir.resolve("x.parquet")) ? "written" : null, "nothing written by the failed runs");
    }

    private static boolean has(DatasetSplit split, int row) {
        for (float v : split.mask().rows(row).toFloatArray()) {
            if (v != 0) {
                return true;
            }
        }
        return false;
    }
}
