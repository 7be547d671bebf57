package io.candor.models.data;

import io.candor.interop.tensor.HostTensor;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * ISIC's analogue (CDEP paper): RGB skin-like images with one lesion whose class shows in its shape,
 * border and colour: benign lesions are round with a smooth border and an even brown; malignant ones
 * have an irregular, notched border and several tones. About half of the benign images carry a coloured
 * band-aid-like patch at a random place, marked in the mask, so the patch predicts "benign" without
 * being part of the lesion. Splits: train, val, test (patches as in training) and test_no_patches.
 * Values in [0, 1], label 1 = malignant (about 30%).
 */
public final class PatchLesions {
    /** The concept labels each split carries. */
    public static final List<String> CONCEPTS = List.of("patch", "irregular_border");
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "patch", "a band-aid-like patch is drawn on the image (on about half of the benign ones)",
            "irregular_border", "the lesion's border is irregular and notched, as the generator draws malignant lesions");
    private final int size;

    public PatchLesions(int size) {
        this.size = size;
    }

    public Map<String, DatasetSplit> dataset(int nTrain, int nVal, int nTest, long seed) {
        Map<String, DatasetSplit> splits = new LinkedHashMap<>();
        splits.put("train", split(nTrain, seed, true));
        splits.put("val", split(nVal, seed + 1, true));
        splits.put("test", split(nTest, seed + 2, true));
        splits.put("test_no_patches", split(nTest, seed + 2, false));
        splits.put("concepts", split(nTest, seed + 3, true, true));
        return splits;
    }

    public Map<String, Object> meta(long seed) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("generator", "patch-lesions");
        meta.put("seed", seed);
        meta.put("classes", List.of("benign", "malignant"));
        meta.put("input", "3 x " + size + " x " + size + " RGB in [0, 1]");
        meta.put("mask", "the band-aid-like patch on about half of the benign images");
        meta.put("concepts", "half of all images patched, benign or malignant, so that the patch concept can be learned"
                + " apart from the class (candor interpret --concepts)");
        return meta;
    }

    /** With {@code patches} false the same images are drawn without any patch. */
    public DatasetSplit split(int n, long seed, boolean patches) {
        return split(n, seed, patches, false);
    }

    /** With {@code anyClass}, half of all images get a patch, malignant ones too. */
    private DatasetSplit split(int n, long seed, boolean patches, boolean anyClass) {
        Random random = new Random(seed);
        int pixels = size * size;
        float[] x = new float[n * 3 * pixels];
        float[] masks = new float[n * pixels];
        long[] y = new long[n];
        boolean[][] concepts = new boolean[n][];
        for (int i = 0; i < n; i++) {
            boolean malignant = random.nextDouble() < 0.3;
            y[i] = malignant ? 1 : 0;
            boolean patched = (anyClass || !malignant) && random.nextBoolean();
            concepts[i] = new boolean[] {patched && patches, malignant};
            BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            BufferedImage mask = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
            drawSkin(image, random);
            drawLesion(image, malignant, random);
            long patchSeed = random.nextLong();
            if (patched && patches) {
                drawPatch(image, mask, new Random(patchSeed));
            }
            for (int p = 0; p < pixels; p++) {
                int rgb = image.getRGB(p % size, p / size);
                x[(i * 3) * pixels + p] = ((rgb >> 16) & 255) / 255f;
                x[(i * 3 + 1) * pixels + p] = ((rgb >> 8) & 255) / 255f;
                x[(i * 3 + 2) * pixels + p] = (rgb & 255) / 255f;
                masks[i * pixels + p] = mask.getRaster().getSample(p % size, p / size, 0) > 127 ? 1 : 0;
            }
        }
        return new DatasetSplit(HostTensor.ofFloats(new long[] {n, 3, size, size}, x), HostTensor.ofLongs(new long[] {n}, y),
                HostTensor.ofFloats(new long[] {n, 1, size, size}, masks), Concepts.of(CONCEPTS, DESCRIPTIONS, concepts));
    }

    private void drawSkin(BufferedImage image, Random random) {
        int r = 200 + random.nextInt(40);
        int g = 150 + random.nextInt(40);
        int b = 120 + random.nextInt(40);
        for (int yy = 0; yy < size; yy++) {
            for (int xx = 0; xx < size; xx++) {
                int n = (int) (random.nextGaussian() * 6);
                image.setRGB(xx, yy, (clamp(r + n) << 16) | (clamp(g + n) << 8) | clamp(b + n));
            }
        }
    }

    private void drawLesion(BufferedImage image, boolean malignant, Random random) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        double cx = size / 2.0 + random.nextGaussian() * size / 12;
        double cy = size / 2.0 + random.nextGaussian() * size / 12;
        double radius = size * (0.15 + random.nextDouble() * 0.1);
        Path2D outline = new Path2D.Double();
        int points = 64;
        double[] amplitude = new double[6];
        for (int k = 0; k < amplitude.length; k++) {
            amplitude[k] = malignant ? random.nextDouble() * 0.25 : random.nextDouble() * 0.04;
        }
        for (int i = 0; i <= points; i++) {
            double t = 2 * Math.PI * i / points;
            double rr = radius;
            for (int k = 0; k < amplitude.length; k++) {
                rr += radius * amplitude[k] * Math.sin((k + 2) * t + k);
            }
            double px = cx + rr * Math.cos(t);
            double py = cy + rr * Math.sin(t) * (malignant ? 1 : 0.9);
            if (i == 0) {
                outline.moveTo(px, py);
            } else {
                outline.lineTo(px, py);
            }
        }
        outline.closePath();
        int base = 60 + random.nextInt(40);
        g.setColor(new Color(base + 40, base, base / 2));
        g.fill(outline);
        if (malignant) {
            for (int k = 0; k < 3; k++) {
                g.setColor(new Color(30 + random.nextInt(60), 20 + random.nextInt(30), 20 + random.nextInt(50)));
                double blob = radius * (0.2 + random.nextDouble() * 0.4);
                g.fill(new java.awt.geom.Ellipse2D.Double(cx + random.nextGaussian() * radius / 3 - blob / 2,
                        cy + random.nextGaussian() * radius / 3 - blob / 2, blob, blob));
            }
        }
        g.dispose();
    }

    private void drawPatch(BufferedImage image, BufferedImage mask, Random random) {
        double w = size * (0.25 + random.nextDouble() * 0.1);
        double h = w * 0.4;
        double x0 = random.nextDouble() * (size - w);
        double y0 = random.nextBoolean() ? random.nextDouble() * size * 0.15 : size * 0.85 - h + random.nextDouble() * size * 0.15;
        RoundRectangle2D shape = new RoundRectangle2D.Double(x0, y0, w, h, h, h);
        Color[] tones = {new Color(235, 190, 150), new Color(120, 170, 230), new Color(240, 120, 170)};
        for (BufferedImage target : new BufferedImage[] {image, mask}) {
            Graphics2D g = target.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(target == mask ? Color.WHITE : tones[random.nextInt(tones.length)]);
            g.fill(shape);
            if (target == image) {
                g.setColor(new Color(200, 150, 110));
                g.setStroke(new BasicStroke(1f));
                for (int d = 0; d < 4; d++) {
                    g.fillOval((int) (x0 + w * (0.35 + 0.1 * d)), (int) (y0 + h / 2 - 1), 2, 2);
                }
            }
            g.dispose();
        }
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
