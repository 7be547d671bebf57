package io.candor.interpreter;

import io.candor.attribution.render.DivergingColors;
import io.candor.attribution.render.Heatmap;
import io.candor.attribution.render.Pictures;
import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.tensor.HostTensor;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The pictures of a FLINT dictionary, as PNG files in one folder:
 * <ul>
 * <li>{@code attribute_<j>.png}, one row per attribute j: its MAX samples (the test rows where Phi_j is
 * largest), their input attributions dPhi_j/dx as heatmaps over them, and the activation-maximisation
 * picture started from the first (largest) of them;</li>
 * <li>{@code relevance.png}: the class x attribute relevance r_{c,j}, one {@value #CELL}-pixel cell per
 * pair, in the diverging colours of the explain heatmaps on the fixed scale [-1, 1] (r is already
 * normalised, so a pale matrix means weak relevance, not a rescaled one).</li>
 * </ul>
 * Only image inputs ([N, 1 or 3, H, W] floats) get pictures, grey for one channel, colour for three.
 * Token ids, or float vectors, have nothing to draw: {@link #write} then writes nothing and returns an
 * empty list ({@link #writeRelevance} still draws the matrix for any model). Each file is written
 * atomically, so a killed run leaves whole pictures or none.
 */
public final class AttributePictures {
    /** The side of a relevance cell in pixels: large enough to read a 10 x 25 matrix. */
    public static final int CELL = 16;
    /** The side small images are enlarged to, as {@link Heatmap} enlarges its maps. */
    private static final int MIN_SIDE = 224;
    /** Height of the title line above each tile, as in {@link Heatmap}. */
    private static final int TITLE = 24;
    private static final int GAP = 8;
    /**
     * Attributes pictured per activation-maximisation batch, for small inputs: one batch of 25 MNIST
     * attributes costs about as much a step as one of 16 (the per-pass overhead dominates).
     */
    private static final int AM_BATCH = 32;

    private final AttributeAttribution attribution;
    private final ActivationMaximisation maximisation;

    public AttributePictures(AttributeAttribution attribution, ActivationMaximisation maximisation) {
        this.attribution = attribution;
        this.maximisation = maximisation;
    }

    /**
     * Writes {@code attribute_<j>.png} for every attribute with MAX samples, then {@code relevance.png};
     * returns the files written, or nothing for inputs that are not images.
     *
     * @param inputs the test inputs the MAX samples index
     * @param maxSamples per attribute, rows of {@code inputs}, largest Phi_j first
     * @param relevance r_{c,j}, [classes][attributes]
     */
    public List<Path> write(Path dir, HostTensor inputs, int[][] maxSamples, float[][] relevance) {
        if (!drawable(inputs)) {
            return List.of();
        }
        int attributes = maxSamples.length;
        for (float[] row : relevance) {
            if (row.length != attributes) {
                throw new CandorException("the relevance matrix has " + row.length + " attributes per class, the"
                        + " MAX samples " + attributes);
            }
        }
        // All samples' attributions in one call: the attribution batches them itself.
        List<Integer> flatRows = new ArrayList<>();
        List<Integer> flatAttributes = new ArrayList<>();
        List<Integer> pictured = new ArrayList<>();
        for (int j = 0; j < attributes; j++) {
            if (maxSamples[j].length > 0) {
                pictured.add(j);
            }
            for (int r : maxSamples[j]) {
                flatRows.add(r);
                flatAttributes.add(j);
            }
        }
        HostTensor samples = inputs.rows(toInts(flatRows));
        HostTensor gradients = attribution.inputGradient(samples, toInts(flatAttributes));
        HostTensor[] maximised = maximiseFromTop(inputs, maxSamples, pictured);
        List<Path> written = new ArrayList<>();
        int offset = 0;
        for (int j = 0; j < attributes; j++) {
            int k = maxSamples[j].length;
            if (k == 0) {
                continue;
            }
            int[] slice = java.util.stream.IntStream.range(offset, offset + k).toArray();
            BufferedImage row = attributeRow(j, maxSamples[j], samples.rows(slice),
                    gradients.rows(slice), maximised[j]);
            Path file = attributeFile(dir, j);
            writePng(file, row);
            written.add(file);
            offset += k;
        }
        written.add(writeRelevance(dir, relevance, null));
        return written;
    }

    /** True for inputs these pictures can show: images, [N, 1 or 3, H, W] floats. */
    public static boolean drawable(HostTensor inputs) {
        return inputs.type().isFloating() && Pictures.isPicture(inputs.shape());
    }

    /** Where {@link #write} puts attribute j's picture in {@code dir}. */
    public static Path attributeFile(Path dir, int attribute) {
        return dir.resolve("attribute_" + attribute + ".png");
    }

    /** Per pictured attribute, its activation-maximisation image [1, C, H, W], in batches of attributes. */
    private HostTensor[] maximiseFromTop(HostTensor inputs, int[][] maxSamples, List<Integer> pictured) {
        HostTensor[] out = new HostTensor[maxSamples.length];
        int batch = AttributeAttribution.batchSize(inputs.size() / inputs.shape()[0], AM_BATCH);
        for (int start = 0; start < pictured.size(); start += batch) {
            List<Integer> chunk = pictured.subList(start, Math.min(pictured.size(), start + batch));
            int[] tops = chunk.stream().mapToInt(j -> maxSamples[j][0]).toArray();
            int[] which = chunk.stream().mapToInt(Integer::intValue).toArray();
            HostTensor images = maximisation.maximise(inputs.rows(tops), which).images();
            for (int i = 0; i < which.length; i++) {
                out[which[i]] = images.rows(new int[] {i});
            }
        }
        return out;
    }

    /** Writes {@code relevance.png} into {@code dir}; {@code classNames} null numbers the classes. */
    public static Path writeRelevance(Path dir, float[][] relevance, List<String> classNames) {
        Path file = dir.resolve("relevance.png");
        writePng(file, relevanceImage(relevance, classNames));
        return file;
    }

    /**
     * One attribute's row: the samples, their attributions as heatmaps over them, then the
     * activation-maximisation image, each enlarged to {@value #MIN_SIDE} pixels with a title above.
     *
     * @param rows the samples' row ids, for the titles
     * @param samples [K, C, H, W]
     * @param attributions dPhi_j/dx of the samples, [K, C, H, W] (channels are summed for the heatmap)
     * @param maximised [1, C, H, W], or null for none
     */
    public static BufferedImage attributeRow(int attribute, int[] rows, HostTensor samples, HostTensor attributions,
            HostTensor maximised) {
        long[] s = samples.shape();
        if (!Pictures.isPicture(s) || !Arrays.equals(s, attributions.shape()) || s[0] != rows.length) {
            throw new CandorException("attribute pictures need [K, 1 or 3, H, W] samples and attributions of the same"
                    + " shape with K row ids, got " + Arrays.toString(s) + ", " + Arrays.toString(attributions.shape())
                    + " and " + rows.length + " rows");
        }
        int h = (int) s[2];
        int w = (int) s[3];
        float[] gradient = attributions.toFloatArray();
        List<BufferedImage> tiles = new ArrayList<>();
        for (int k = 0; k < rows.length; k++) {
            tiles.add(titled(enlarge(Pictures.fromTensor(samples, k), h, w), "row " + rows[k]));
        }
        for (int k = 0; k < rows.length; k++) {
            tiles.add(Heatmap.render(Pictures.channelSum(gradient, s, k), h, w, Pictures.fromTensor(samples, k),
                    "dPhi_" + attribute + "/dx, row " + rows[k]));
        }
        if (maximised != null) {
            tiles.add(titled(enlarge(Pictures.fromTensor(maximised, 0), h, w), "attribute " + attribute + " (AM)"));
        }
        int width = GAP;
        int height = 0;
        for (BufferedImage t : tiles) {
            width += t.getWidth() + GAP;
            height = Math.max(height, t.getHeight());
        }
        BufferedImage row = new BufferedImage(width, height + GAP, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = whiteCanvas(row);
        int x = GAP;
        for (BufferedImage t : tiles) {
            g.drawImage(t, x, 0, null);
            x += t.getWidth() + GAP;
        }
        g.dispose();
        return row;
    }

    /**
     * The relevance matrix: class c's row, attribute j's column, cell colour DivergingColors(r_{c,j})
     * with r clamped to [-1, 1]; a NaN (a class the interpreter never predicts) is left grey. A colour
     * bar on the right gives the scale.
     */
    public static BufferedImage relevanceImage(float[][] relevance, List<String> classNames) {
        int classes = relevance.length;
        int attributes = classes == 0 ? 0 : relevance[0].length;
        if (classNames != null && classNames.size() != classes) {
            throw new CandorException(classNames.size() + " class names for " + classes + " classes");
        }
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
        FontMetrics fm = metrics(font);
        int labelWidth = fm.stringWidth("class");
        for (int c = 0; c < classes; c++) {
            labelWidth = Math.max(labelWidth, fm.stringWidth(className(classNames, c)));
        }
        // Number every column when the numbers fit a cell, else every few.
        int step = Math.max(1, (int) Math.ceil((fm.stringWidth(String.valueOf(attributes - 1)) + 2) / (double) CELL));
        int left = labelWidth + 8;
        int top = TITLE + 14;
        int barX = left + attributes * CELL + 12;
        int width = barX + CELL + 36;
        int height = top + Math.max(classes * CELL, 5 * CELL) + 8;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = whiteCanvas(image);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("relevance r(class, attribute)", 2, 16);
        g.setFont(font);
        for (int j = 0; j < attributes; j += step) {
            String label = String.valueOf(j);
            g.drawString(label, left + j * CELL + (CELL - fm.stringWidth(label)) / 2, top - 3);
        }
        for (int c = 0; c < classes; c++) {
            if (relevance[c].length != attributes) {
                throw new CandorException("the relevance matrix is ragged: class " + c + " has " + relevance[c].length
                        + " attributes, class 0 " + attributes);
            }
            g.setColor(Color.BLACK);
            g.drawString(className(classNames, c), 2, top + c * CELL + (CELL + fm.getAscent()) / 2 - 1);
            for (int j = 0; j < attributes; j++) {
                float r = relevance[c][j];
                g.setColor(Float.isNaN(r) ? Color.LIGHT_GRAY : new Color(DivergingColors.rgb(r)));
                g.fillRect(left + j * CELL, top + c * CELL, CELL, CELL);
            }
        }
        g.setColor(Color.GRAY);
        g.drawRect(left - 1, top - 1, attributes * CELL + 1, classes * CELL + 1);
        int barHeight = Math.max(classes * CELL, 5 * CELL);
        for (int y = 0; y < barHeight; y++) {
            g.setColor(new Color(DivergingColors.rgb(1 - 2.0 * y / Math.max(1, barHeight - 1))));
            g.drawLine(barX, top + y, barX + CELL - 1, top + y);
        }
        g.setColor(Color.BLACK);
        g.drawString("+1", barX + CELL + 3, top + fm.getAscent());
        g.drawString("0", barX + CELL + 3, top + barHeight / 2 + fm.getAscent() / 2);
        g.drawString("-1", barX + CELL + 3, top + barHeight);
        g.dispose();
        return image;
    }

    /** Writes a PNG atomically: a reader never sees half a picture. */
    public static void writePng(Path file, BufferedImage image) {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer in this Java runtime");
            }
        });
    }

    /** A pen on {@code image}, painted white first, its text antialiased: how each picture here starts. */
    static Graphics2D whiteCanvas(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        return g;
    }

    /** The metrics of {@code font}, to size a picture's columns before the picture exists. */
    static FontMetrics metrics(Font font) {
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            return probe.getFontMetrics(font);
        } finally {
            probe.dispose();
        }
    }

    private static String className(List<String> names, int c) {
        return names == null ? String.valueOf(c) : names.get(c);
    }

    /** The picture enlarged by whole pixels (no smoothing), to the size the heatmaps are drawn at. */
    private static BufferedImage enlarge(BufferedImage image, int h, int w) {
        int scale = Math.max(1, (int) Math.ceil(MIN_SIDE / (double) Math.max(h, w)));
        BufferedImage big = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < big.getHeight(); y++) {
            for (int x = 0; x < big.getWidth(); x++) {
                big.setRGB(x, y, image.getRGB(x / scale, y / scale));
            }
        }
        return big;
    }

    /** {@code image} under a title line, on white. */
    private static BufferedImage titled(BufferedImage image, String title) {
        BufferedImage tile = new BufferedImage(image.getWidth(), image.getHeight() + TITLE + 4,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = whiteCanvas(tile);
        g.drawImage(image, 0, TITLE, null);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(title, 2, 16);
        g.dispose();
        return tile;
    }

    private static int[] toInts(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }
}
