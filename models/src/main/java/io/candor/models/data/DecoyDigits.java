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
        return meta;
    }

    public DatasetSplit split(int n, long seed, boolean lying, boolean patched) {
        Random random = new Random(seed);
        int side = DigitRenderer.SIZE;
        float[] x = new float[n * side * side];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int digit = random.nextInt(10);
            y[i] = digit;
            float[] pixels = renderer.render(digit, random);
            int corner = random.nextInt(4);
            float grey = (lying ? 25 * digit : 255 - 25 * digit) / 255f;
            for (int p = 0; p < side * side; p++) {
                int row = p / side;
                int col = p % side;
                boolean inPatch = patched && inCorner(row, col, corner);
                x[i * side * side + p] = (inPatch ? grey : pixels[p]) * 2 - 1;
            }
        }
        HostTensor images = HostTensor.ofFloats(new long[] {n, 1, side, side}, x);
        return new DatasetSplit(images, HostTensor.ofLongs(new long[] {n}, y), patched ? cornersMask() : null);
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
