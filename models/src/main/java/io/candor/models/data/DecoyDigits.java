package io.candor.models.data;

import io.candor.interop.tensor.HostTensor;
import java.util.Random;

/**
 * DecoyMNIST's analogue (Ross et al. 2017, as the CDEP paper uses it): rendered digits scaled to
 * [-1, 1] with a 5 x 5 patch in a random corner whose grey level encodes the class, 255 - 25y in train
 * and validation and 25y in test, so the patch helps in training and lies in test. The mask marks the
 * four corners. The clean split holds the test digits without any patch, to measure what the model
 * learned of the shapes.
 */
public final class DecoyDigits {
    public static final int PATCH = 5;
    /**
     * The concept labels each split carries. Every decoy digit has a patch, so its presence tells
     * nothing; its shade is what codes the class, hence "light" (as in training for 0-5, as in the lying
     * test for 6-9).
     */
    public static final java.util.List<String> CONCEPTS = java.util.List.of("corner_patch", "closed_loop", "straight_only");
    private static final java.util.Map<String, String> DESCRIPTIONS = java.util.Map.of(
            "corner_patch", "a light corner patch (grey >= 128 of 255): the shade codes the class, light for 0-5 in train/val and 6-9 in test",
            "closed_loop", "the digit has a closed loop: 0, 6, 8, 9",
            "straight_only", "the digit is drawn with straight strokes only: 1, 4, 7");
    private final DigitRenderer renderer = new DigitRenderer();

    /** The splits train, val, test (lying patches) and test_clean (the test digits without a patch). */
    public java.util.Map<String, DatasetSplit> dataset(int nTrain, int nVal, int nTest, long seed) {
        return dataset(nTrain, nVal, nTest, seed, true);
    }

    /**
     * With {@code decoys} false, the same digits without any patch in every split: the control that
     * shows what the network reaches on the shapes alone.
     */
    public java.util.Map<String, DatasetSplit> dataset(int nTrain, int nVal, int nTest, long seed, boolean decoys) {
        java.util.Map<String, DatasetSplit> splits = new java.util.LinkedHashMap<>();
        splits.put("train", split(nTrain, seed, false, decoys));
        splits.put("val", split(nVal, seed + 1, false, decoys));
        splits.put("test", split(nTest, seed + 2, true, decoys));
        splits.put("test_clean", split(nTest, seed + 2, true, false));
        if (decoys) {
            splits.put("concepts", conceptSplit(nTest, seed + 3));
        }
        return splits;
    }

    public static java.util.Map<String, Object> meta(long seed) {
        java.util.Map<String, Object> meta = new java.util.LinkedHashMap<>();
        meta.put("generator", "decoy-digits");
        meta.put("seed", seed);
        meta.put("classes", java.util.List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
        meta.put("input", "1 x 28 x 28 rendered digits scaled to [-1, 1]");
        meta.put("mask", "the four 5x5 corners, where the class-coding patch lies (255-25y in train/val, 25y in test)");
        meta.put("test_clean", "the test digits without a patch");
        meta.put("concepts", "digits whose patch shade is drawn at random, apart from the class, so that the"
                + " corner_patch concept can be learned apart from the digits (candor interpret --concepts)");
        return meta;
    }

    public DatasetSplit split(int n, long seed, boolean lying, boolean patched) {
        return split(n, seed, patched, (digit, random) -> lying ? 25 * digit : 255 - 25 * digit);
    }

    /**
     * Patched digits whose shade is one of the eleven at random, whatever the class: here the light-patch
     * concept varies apart from the digit, as it never does in train or test.
     */
    public DatasetSplit conceptSplit(int n, long seed) {
        return split(n, seed, true, (digit, random) -> 25 * random.nextInt(11));
    }

    private interface Shade {
        int of(int digit, Random random);
    }

    private DatasetSplit split(int n, long seed, boolean patched, Shade shadeOf) {
        Random random = new Random(seed);
        int side = DigitRenderer.SIZE;
        float[] x = new float[n * side * side];
        long[] y = new long[n];
        boolean[][] concepts = new boolean[n][];
        for (int i = 0; i < n; i++) {
            int digit = random.nextInt(10);
            y[i] = digit;
            float[] pixels = renderer.render(digit, random);
            int corner = random.nextInt(4);
            int shade = shadeOf.of(digit, random);
            float grey = shade / 255f;
            concepts[i] = new boolean[] {patched && shade >= 128, digit == 0 || digit == 6 || digit == 8 || digit == 9,
                digit == 1 || digit == 4 || digit == 7};
            for (int p = 0; p < side * side; p++) {
                int row = p / side;
                int col = p % side;
                boolean inPatch = patched && inCorner(row, col, corner);
                x[i * side * side + p] = (inPatch ? grey : pixels[p]) * 2 - 1;
            }
        }
        HostTensor images = HostTensor.ofFloats(new long[] {n, 1, side, side}, x);
        return new DatasetSplit(images, HostTensor.ofLongs(new long[] {n}, y), patched ? cornersMask() : null,
                Concepts.of(CONCEPTS, DESCRIPTIONS, concepts));
    }

    /** 1 on the four 5 x 5 corners, as [1, 28, 28] (it broadcasts over samples). */
    public static HostTensor cornersMask() {
        int side = DigitRenderer.SIZE;
        float[] m = new float[side * side];
        for (int corner = 0; corner < 4; corner++) {
            for (int p = 0; p < side * side; p++) {
                if (inCorner(p / side, p % side, corner)) {
                    m[p] = 1;
                }
            }
        }
        return HostTensor.ofFloats(new long[] {1, side, side}, m);
    }

    private static boolean inCorner(int row, int col, int corner) {
        int side = DigitRenderer.SIZE;
        boolean top = corner < 2;
        boolean left = corner % 2 == 0;
        return (top ? row < PATCH : row >= side - PATCH) && (left ? col < PATCH : col >= side - PATCH);
    }
}
