package io.candor.models.data;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GraphicsEnvironment;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.FontRenderContext;
import java.awt.font.GlyphVector;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Draws handwriting-like digits with Java2D from the fonts on the machine: a random font and style,
 * size, rotation, stroke width and offset, plus pixel noise, so that a CNN has to learn real shapes.
 * Images are 28 x 28 grey values in [0, 1] (white digit on black), like MNIST.
 */
public final class DigitRenderer {
    public static final int SIZE = 28;
    private static final String[] LOGICAL = {Font.SANS_SERIF, Font.SERIF, Font.MONOSPACED, Font.DIALOG};
    private final List<String> families;

    public DigitRenderer() {
        this.families = fontFamilies();
    }

    /** The families used: the machine's fonts that draw every digit, else Java's logical fonts. */
    public List<String> families() {
        return families;
    }

    private static List<String> fontFamilies() {
        List<String> usable = new ArrayList<>();
        for (String family : GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames()) {
            Font font = new Font(family, Font.PLAIN, 20);
            if (font.canDisplayUpTo("0123456789") == -1 && !family.toLowerCase().contains("symbol")) {
                usable.add(family);
            }
        }
        usable.sort(String::compareTo);
        return usable.isEmpty() ? List.of(LOGICAL) : usable;
    }

    /** One digit as 28 x 28 values in [0, 1], drawn with randomness from {@code random}. */
    public float[] render(int digit, Random random) {
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
        var g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, SIZE, SIZE);
        int style = random.nextInt(4) == 0 ? Font.BOLD : Font.PLAIN;
        Font font = new Font(families.get(random.nextInt(families.size())), style, 20 + random.nextInt(5));
        GlyphVector glyph = font.createGlyphVector(new FontRenderContext(null, true, true), Integer.toString(digit));
        Shape outline = glyph.getOutline();
        Rectangle2D box = outline.getBounds2D();
        double scale = (13 + random.nextDouble() * 8) / Math.max(box.getHeight(), 1);
        AffineTransform t = new AffineTransform();
        t.translate(SIZE / 2.0 + random.nextGaussian() * 2, SIZE / 2.0 + random.nextGaussian() * 2);
        t.rotate(Math.toRadians(random.nextGaussian() * 20));
        t.shear(random.nextGaussian() * 0.2, random.nextGaussian() * 0.1);
        t.scale(scale * (0.8 + random.nextDouble() * 0.4), scale);
        t.translate(-box.getCenterX(), -box.getCenterY());
        Shape placed = t.createTransformedShape(outline);
        g.setColor(Color.WHITE);
        g.fill(placed);
        g.setStroke(new BasicStroke((float) (0.5 + random.nextDouble() * 1.5), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(placed);
        g.dispose();
        float[] pixels = new float[SIZE * SIZE];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                float v = (image.getRaster().getSample(x, y, 0) / 255f) + (float) random.nextGaussian() * 0.3f;
                pixels[y * SIZE + x] = Math.max(0f, Math.min(1f, v));
            }
        }
        return pixels;
    }
}
