package io.candor.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.interop.CandorException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecoyDigitsTest {
    @TempDir
    Path dir;

    @Test
    void theSameSeedGivesTheSameDataAndAnotherSeedOtherData() {
        DecoyDigits g = new DecoyDigits();
        DatasetSplit a = g.split(20, 5, false, true);
        DatasetSplit b = g.split(20, 5, false, true);
        assertEquals(a.x().data(), b.x().data());
        assertArrayEquals(a.labels(), b.labels());
        assertNotEquals(a.x().data(), g.split(20, 6, false, true).x().data());
    }

    @Test
    void thePatchCodesTheClassInTrainingAndLiesInTest() {
        DecoyDigits g = new DecoyDigits();
        DatasetSplit train = g.split(50, 1, false, true);
        DatasetSplit test = g.split(50, 1, true, true);
        DatasetSplit clean = g.split(50, 1, true, false);
        float[] mask = DecoyDigits.cornersMask().toFloatArray();
        assertEquals(4 * 25, (int) sum(mask));
        float[] x = train.x().toFloatArray();
        float[] t = test.x().toFloatArray();
        float[] c = clean.x().toFloatArray();
        long[] y = train.labels();
        for (int i = 0; i < 50; i++) {
            float expected = (255 - 25 * y[i]) / 255f * 2 - 1;
            float lying = 25 * y[i] / 255f * 2 - 1;
            int hits = 0;
            int lies = 0;
            for (int p = 0; p < 784; p++) {
                hits += mask[p] == 1 && Math.abs(x[i * 784 + p] - expected) < 1e-6 ? 1 : 0;
                lies += mask[p] == 1 && Math.abs(t[i * 784 + p] - lying) < 1e-6 ? 1 : 0;
            }
            assertTrue(hits >= 25, "one corner holds the true patch");
            assertTrue(lies >= 25, "the test patch lies");
            for (int p = 0; p < 784; p++) {
                if (mask[p] == 0) {
                    assertEquals(t[i * 784 + p], c[i * 784 + p], "test_clean is the same digit outside the corners");
                }
            }
        }
    }

    @Test
    void datasetFoldersRoundTrip() {
        Map<String, DatasetSplit> splits = new DecoyDigits().dataset(12, 4, 4, 3);
        DatasetFolder.write(dir, splits, DecoyDigits.meta(3));
        DatasetSplit back = DatasetFolder.read(dir, "test");
        assertEquals(splits.get("test").x().data(), back.x().data());
        assertArrayEquals(splits.get("test").labels(), back.labels());
        assertArrayEquals(new long[] {1, 28, 28}, back.mask().shape());
        assertThrows(CandorException.class, () -> DatasetFolder.read(dir, "nope"));
        assertThrows(CandorException.class, () -> DatasetFolder.read(dir.resolve("missing"), "train"));
    }

    private static float sum(float[] v) {
        float s = 0;
        for (float f : v) {
            s += f;
        }
        return s;
    }
}
