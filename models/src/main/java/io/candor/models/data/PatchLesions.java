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
 * ISIC's analogue (CDEP paper): RGB skin-like images with one lesion, benign or malignant, and a
 * band-aid-like patch on about half of the benign images, marked in the mask, so the patch predicts
 * "benign" without being part of the lesion.
 *
 * <p>The lesion shows its class only as far as real lesions do. Each one has a latent severity
 * s ~ N(+-{@value #SEPARATION}, 1) (+ for malignant), and its look follows s alone: the border's
 * irregularity, the ellipse's squash, how dark it is and how many darker blobs it holds. Benign and
 * malignant lesions overlap, so a model that reads the lesion perfectly is right on about 86% of them
 * (ISIC: a CNN's AUC 0.87), and the patch, which never lies in training, is worth learning.
 *
 * <p>Splits: train, val, test (patches as in training), test_no_patches (the same test lesions without
 * any patch), test_attacked (the same test lesions, every one with a patch: a model that learned the
 * patch calls the malignant ones benign) and concepts (half of all images patched, either class).
 * Values in [0, 1], label 1 = malignant (about 30%).
 */
public final class PatchLesions {
    /** The concept labels each split carries. */
    public static final List<String> CONCEPTS = List.of("patch", "irregular_border");
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "patch", "a band-aid-like patch is drawn on the image (on about half of the benign ones)",
            "irregular_border", "the lesion looks malignant: its latent severity is above 0, so its border is more irregular"
                    + " and notched, its tone darker, its blobs more");
    /** The mean severity of each class, in units of its spread: the lesion alone gives about 86% accuracy. */
    static final double SEPARATION = 1.1;

    /** Which images get a patch. */
    private enum Patches { NONE, AS_IN_TRAINING, EVERY_IMAGE, HALF_OF_ALL }

    private final int size;
    private final boolean decoys;

    public PatchLesions(int size) {
        this(size, true);
    }

    /** With {@code decoys} false no split has a patch: the control, what a model learns from the lesion alone. */
    public PatchLesions(int size, boolean decoys) {
        this.size = size;
        this.decoys = decoys;
    }

    public Map<String, DatasetSplit> dataset(int nTrain, int nVal, int nTest, long seed) {
        Map<String, DatasetSplit> splits = new LinkedHashMap<>();
        Patches asInTraining = decoys ? Patches.AS_IN_TRAINING : Patches.NONE;
        splits.put("train", split(nTrain, seed, asInTraining));
        splits.put("val", split(nVal, seed + 1, asInTraining));
        splits.put("test", split(nTest, seed + 2, asInTraining));
        splits.put("test_no_patches", split(nTest, seed + 2, Patches.NONE));
        splits.put("test_attacked", split(nTest, seed + 2, Patches.EVERY_IMAGE));
        splits.put("concepts", split(nTest, seed + 3, Patches.HALF_OF_ALL));
        return splits;
    }

    public Map<String, Object> meta(long seed) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("generator", "patch-lesions");
        meta.put("seed", seed);
        meta.put("classes", List.of("benign", "malignant"));
        meta.put("input", "3 x " + size + " x " + size + " RGB in [0, 1]");
        meta.put("size", size);
        meta.put("mask", decoys ? "the band-aid-like patch on about half of the benign images" : "none: --no-decoys");
        meta.put("lesions", "a latent severity s ~ N(+-" + SEPARATION + ", 1) sets the look; the classes overlap, so the"
                + " lesion alone gives about 86% accuracy");
        meta.put("test_attacked", "the test lesions, every one with a patch (the mask marks it)");
        meta.put("concepts", "half of all images patched, benign or malignant, so that the patch concept can be learned"
                + " apart from the class (candor interpret --concepts)");
        return meta;
    }

    /** With {@code patches} false the same images are drawn without any patch. */
    public DatasetSplit split(int n, long seed, boolean patches) {
        return split(n, seed, patches ? Patches.AS_IN_TRAINING : Patches.NONE);
    }

    /** The same seed draws the same lesions whichever images get a patch. */
    private DatasetSplit split(int n, long seed, Patches which) {
        Random random = new Random(seed);
        int pixels = size * size;
        float[] x = new float[n * 3 * pixels];
        float[] masks = new float[n * pixels];
        long[] y = new long[n];
        boolean[][] concepts = new boolean[n][];
        for (int i = 0; i < n; i++) {
            boolean malignant = random.nextDouble() < 0.3;
            y[i] = malignant ? 1 : 0;
            boolean coin = random.nextBoolean();
            boolean patched = switch (which) {
                case NONE -> false;
                case AS_IN_TRAINING -> !malignant && coin;
                case EVERY_IMAGE -> true;
                case HALF_OF_ALL -> coin;
            };
            double severity = random.nextGaussian() + (malignant ? SEPARATION : -SEPARATION);
            concepts[i] = new boolean[] {patched, severity > 0};
            BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            BufferedImage mask = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
            drawSkin(image, random);
            drawLesion(image, severity, random);
            long patchSeed = random.nextLong();
            if (patched) {
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

    /**
     * A lesion whose look is set by {@code severity} through t = sigmoid(1.6 s) in (0, 1): border
     * irregularity, squash, darkness and the number of darker blobs all grow with t.
     */
    private void drawLesion(BufferedImage image, double severity, Random random) {
        double t = 1 / (1 + Math.exp(-1.6 * severity));
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        double cx = size / 2.0 + random.nextGaussian() * size / 12;
        double cy = size / 2.0 + random.nextGaussian() * size / 12;
        double radius = size * (0.15 + random.nextDouble() * 0.1);
        Path2D outline = new Path2D.Double();
        int points = 64;
        double[] amplitude = new double[6];
        for (int k = 0; k < amplitude.length; k++) {
            amplitude[k] = random.nextDouble() * (0.02 + 0.23 * t);
        }
        double squash = 0.88 + 0.12 * t;
        for (int i = 0; i <= points; i++) {
            double angle = 2 * Math.PI * i / points;
            double rr = radius;
            for (int k = 0; k < amplitude.length; k++) {
                rr += radius * amplitude[k] * Math.sin((k + 2) * angle + k);
            }
            double px = cx + rr * Math.cos(angle);
            double py = cy + rr * Math.sin(angle) * squash;
            if (i == 0) {
                outline.moveTo(px, py);
            } else {
                outline.lineTo(px, py);
            }
        }
        outline.closePath();
        int base = (int) (95 - 40 * t) + random.nextInt(25);
        g.setColor(new Color(base + 40, base, base / 2));
        g.fill(outline);
        int blobs = (int) Math.floor(4 * t + random.nextDouble() - 0.5);
        for (int k = 0; k < blobs; k++) {
            g.setColor(new Color(30 + random.nextInt(60), 20 + random.nextInt(30), 20 + random.nextInt(50)));
            double blob = radius * (0.2 + random.nextDouble() * 0.4);
            g.fill(new java.awt.geom.Ellipse2D.Double(cx + random.nextGaussian() * radius / 3 - blob / 2,
                    cy + random.nextGaussian() * radius / 3 - blob / 2, blob, blob));
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
