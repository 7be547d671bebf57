package io.candor.models.data;

import io.candor.interop.tensor.HostTensor;
import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * ColorMNIST's analogue (CDEP paper): rendered digits tinted with one of ten colours, red to purple,
 * chosen by the class: colour y in train and validation, colour 9 - y in test, so colour helps in
 * training and lies in test. Inputs are standardised per channel with the training split's mean and
 * standard deviation (recorded in meta.json).
 */
public final class ColorDigits {
    private final DigitRenderer renderer = new DigitRenderer();

    /** Ten colours evenly spaced in hue from red to purple. */
    static float[][] colours() {
        float[][] rgb = new float[10][3];
        for (int k = 0; k < 10; k++) {
            int c = Color.HSBtoRGB(k * (300f / 360f) / 9f, 1f, 1f);
            rgb[k] = new float[] {((c >> 16) & 255) / 255f, ((c >> 8) & 255) / 255f, (c & 255) / 255f};
        }
        return rgb;
    }

    /** The splits, and the training statistics they were standardised with. */
    public record Dataset(Map<String, DatasetSplit> splits, float[] mean, float[] std) {

        public Map<String, Object> meta(long seed) {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("generator", "color-digits");
            meta.put("seed", seed);
            meta.put("classes", List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
            meta.put("input", "3 x 28 x 28 digits tinted by class (colour y in train/val, 9 - y in test), standardised per channel");
            meta.put("mean", mean);
            meta.put("std", std);
            return meta;
        }
    }

    public Dataset dataset(int nTrain, int nVal, int nTest, long seed) {
        List<float[]> raw = new ArrayList<>();
        List<long[]> labels = new ArrayList<>();
        int[] sizes = {nTrain, nVal, nTest};
        for (int s = 0; s < 3; s++) {
            long[] y = new long[sizes[s]];
            raw.add(tinted(sizes[s], seed + s, s == 2, y));
            labels.add(y);
        }
        float[][] stats = channelStatistics(raw.get(0), nTrain);
        Map<String, DatasetSplit> splits = new LinkedHashMap<>();
        String[] names = {"train", "val", "test"};
        for (int s = 0; s < 3; s++) {
            standardise(raw.get(s), sizes[s], stats);
            splits.put(names[s], new DatasetSplit(HostTensor.ofFloats(new long[] {sizes[s], 3, 28, 28}, raw.get(s)),
                    HostTensor.ofLongs(new long[] {sizes[s]}, labels.get(s)), null));
        }
        return new Dataset(splits, stats[0], stats[1]);
    }

    private float[] tinted(int n, long seed, boolean inverted, long[] y) {
        Random random = new Random(seed);
        float[][] palette = colours();
        float[] x = new float[n * 3 * 784];
        for (int i = 0; i < n; i++) {
            int digit = random.nextInt(10);
            y[i] = digit;
            float[] grey = renderer.render(digit, random);
            float[] colour = palette[inverted ? 9 - digit : digit];
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 784; p++) {
                    x[(i * 3 + c) * 784 + p] = grey[p] * colour[c];
                }
            }
        }
        return x;
    }

    private static float[][] channelStatistics(float[] x, int n) {
        float[][] stats = new float[2][3];
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            double squares = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < 784; p++) {
                    double v = x[(i * 3 + c) * 784 + p];
                    sum += v;
                    squares += v * v;
                }
            }
            double count = n * 784.0;
            double mean = sum / count;
            stats[0][c] = (float) mean;
            stats[1][c] = (float) Math.sqrt(Math.max(1e-12, squares / count - mean * mean));
        }
        return stats;
    }

    private static void standardise(float[] x, int n, float[][] stats) {
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 784; p++) {
                    int at = (i * 3 + c) * 784 + p;
                    x[at] = (x[at] - stats[0][c]) / stats[1][c];
                }
            }
        }
    }
}
