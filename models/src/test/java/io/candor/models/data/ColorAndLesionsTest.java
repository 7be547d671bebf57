package io.candor.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ColorAndLesionsTest {
    @Test
    void colourFollowsTheClassInTrainingAndIsInvertedInTest() {
        ColorDigits generator = new ColorDigits();
        ColorDigits.Dataset dataset = generator.dataset(200, 20, 60, 4);
        Map<String, DatasetSplit> splits = dataset.splits();
        assertEquals(splits.get("train").x().data(), generator.dataset(200, 20, 60, 4).splits().get("train").x().data(), "seeded");
        float[] x = splits.get("train").x().toFloatArray();
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            double squares = 0;
            for (int i = 0; i < 200; i++) {
                for (int p = 0; p < 784; p++) {
                    double v = x[(i * 3 + c) * 784 + p];
                    sum += v;
                    squares += v * v;
                }
            }
            double mean = sum / (200 * 784);
            assertEquals(0, mean, 1e-3, "standardised mean, channel " + c);
            assertEquals(1, Math.sqrt(squares / (200 * 784) - mean * mean), 1e-3, "standardised std, channel " + c);
        }
        float[][] palette = ColorDigits.colours();
        assertEquals(10, palette.length);
        assertArrayEquals(new float[] {1, 0, 0}, palette[0], 1e-6f, "red first");
        // The brightest pixel's colour ratios give the tint: compare with the palette entry of y (train) or 9 - y (test).
        for (String name : new String[] {"train", "test"}) {
            DatasetSplit s = splits.get(name);
            float[] v = s.x().toFloatArray();
            long[] y = s.labels();
            for (int i = 0; i < 20; i++) {
                float[] expected = palette[(int) (name.equals("train") ? y[i] : 9 - y[i])];
                int brightest = 0;
                double best = -1;
                for (int p = 0; p < 784; p++) {
                    double raw = unstandardised(v, i, 0, p, dataset) + unstandardised(v, i, 1, p, dataset)
                            + unstandardised(v, i, 2, p, dataset);
                    if (raw > best) {
                        best = raw;
                        brightest = p;
                    }
                }
                double r = unstandardised(v, i, 0, brightest, dataset);
                double g = unstandardised(v, i, 1, brightest, dataset);
                double b = unstandardised(v, i, 2, brightest, dataset);
                double scale = Math.max(r, Math.max(g, b));
                assertEquals(expected[0], r / scale, 0.02, name + " sample " + i + " red");
                assertEquals(expected[1], g / scale, 0.02, name + " sample " + i + " green");
                assertEquals(expected[2], b / scale, 0.02, name + " sample " + i + " blue");
            }
        }
    }

    private static double unstandardised(float[] v, int i, int c, int p, ColorDigits.Dataset dataset) {
        return v[(i * 3 + c) * 784 + p] * dataset.std()[c] + dataset.mean()[c];
    }

    @Test
    void patchesOnlyOnBenignLesionsAndMarkedInTheMask() {
        PatchLesions generator = new PatchLesions(32);
        DatasetSplit with = generator.split(120, 8, true);
        DatasetSplit without = generator.split(120, 8, false);
        assertEquals(with.x().data(), generator.split(120, 8, true).x().data(), "seeded");
        long[] y = with.labels();
        float[] mask = with.mask().toFloatArray();
        float[] a = with.x().toFloatArray();
        float[] b = without.x().toFloatArray();
        int patched = 0;
        int benign = 0;
        int malignant = 0;
        for (int i = 0; i < 120; i++) {
            double marked = 0;
            for (int p = 0; p < 32 * 32; p++) {
                marked += mask[i * 1024 + p];
            }
            if (y[i] == 1) {
                malignant++;
                assertEquals(0, marked, "no patch on a malignant lesion");
            } else {
                benign++;
            }
            if (marked > 0) {
                patched++;
            } else {
                for (int k = 0; k < 3 * 1024; k++) {
                    assertEquals(a[i * 3 * 1024 + k], b[i * 3 * 1024 + k], "an unpatched image is the same in both");
                }
            }
        }
        assertTrue(malignant > 15 && malignant < 60, "about 30% malignant: " + malignant);
        assertTrue(patched > benign / 4 && patched < benign * 3 / 4, "about half the benign ones patched: " + patched + "/" + benign);
    }

    @Test
    void attackedSplitPastesAPatchOnEveryLesionAndChangesNothingElse() {
        Map<String, DatasetSplit> splits = new PatchLesions(32).dataset(20, 10, 150, 4);
        DatasetSplit clean = splits.get("test_no_patches");
        DatasetSplit attacked = splits.get("test_attacked");
        assertEquals(clean.y().data(), attacked.y().data(), "the same lesions");
        float[] mask = attacked.mask().toFloatArray();
        float[] a = attacked.x().toFloatArray();
        float[] b = clean.x().toFloatArray();
        int side = 32;
        for (int i = 0; i < 150; i++) {
            double marked = 0;
            for (int p = 0; p < side * side; p++) {
                marked += mask[i * side * side + p];
            }
            assertTrue(marked > 0, "sample " + i + " has a patch");
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < side * side; p++) {
                    int k = (i * 3 + c) * side * side + p;
                    if (a[k] != b[k]) {
                        assertTrue(nearMask(mask, i, p % side, p / side, side),
                                "sample " + i + " changed at (" + p % side + ", " + p / side + "), away from its patch");
                    }
                }
            }
        }
    }

    @Test
    void theLesionAloneTellsTheClassOnlyAsFarAsItsSeverityDoes() {
        // irregular_border is whether the latent severity is above 0: it agrees with the class with probability
        // Phi(1.1) = 0.864 for each class, so about 86% of the time, and never always.
        DatasetSplit lesions = new PatchLesions(16, false).split(3000, 5, false);
        float[] looks = lesions.concepts().column(1);
        long[] y = lesions.labels();
        int agree = 0;
        for (int i = 0; i < y.length; i++) {
            agree += (looks[i] > 0) == (y[i] == 1) ? 1 : 0;
        }
        double share = agree / (double) y.length;
        assertTrue(share > 0.83 && share < 0.89, "the look agrees with the class on " + share);
    }

    /** Whether (x, y) is within one pixel of a marked pixel of sample i: antialiasing touches the patch's rim. */
    private static boolean nearMask(float[] mask, int i, int x, int y, int side) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int xx = x + dx;
                int yy = y + dy;
                if (xx >= 0 && yy >= 0 && xx < side && yy < side && mask[i * side * side + yy * side + xx] > 0) {
                    return true;
                }
            }
        }
        return false;
    }
}
