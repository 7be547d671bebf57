package io.candor.attribution.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Draws an attribution map over a dimmed grey copy of its image, in diverging colours scaled
 * symmetrically to the largest magnitude, with a colour bar that gives the scale. Small images are
 * enlarged so a 28x28 digit is still readable.
 */
public final class Heatmap {
    private static final int MIN_SIDE = 224;
    private static final int BAR_WIDTH = 16;
    private static final int MARGIN = 64;

    private Heatmap() {
    }

    /**
     * @param map attributions [h, w] row-major, at any resolution (it is stretched to the image's)
     * @param image the input image, or {@code null} for the map alone
     * @param title a line drawn above the picture
     */
    public static BufferedImage render(float[] map, int h, int w, BufferedImage image, String title) {
        int imageW = image == null ? w : image.getWidth();
        int imageH = image == null ? h : image.getHeight();
        int scale = Math.max(1, (int) Math.ceil(MIN_SIDE / (double) Math.max(imageW, imageH)));
        int outW = imageW * scale;
        int outH = imageH * scale;
        double bound = 0;
        for (float v : map) {
            bound = Math.max(bound, Math.abs(v));
        }
        bound = bound == 0 ? 1 : bound;
        BufferedImage canvas = new BufferedImage(outW + MARGIN + BAR_WIDTH + 8, outH + 28, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, canvas.getWidth(), canvas.getHeight());
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                double a = sample(map, h, w, (y + 0.5) / outH, (x + 0.5) / outW) / bound;
                int grey = image == null ? 255 : grey(image.getRGB(x / scale, y / scale));
                double dimmed = 0.35 * grey + 0.65 * 255 * 0.5;
                double alpha = Math.min(1, Math.abs(a));
                int color = DivergingColors.rgb(a);
                int r = (int) Math.round(dimmed * (1 - alpha) + ((color >> 16) & 255) * alpha);
                int gr = (int) Math.round(dimmed * (1 - alpha) + ((color >> 8) & 255) * alpha);
                int b = (int) Math.round(dimmed * (1 - alpha) + (color & 255) * alpha);
                canvas.setRGB(x, y + 24, (r << 16) | (gr << 8) | b);
            }
        }
        drawBar(g, outW + 8, 24, outH, bound);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(title, 2, 16);
        g.dispose();
        return canvas;
    }

    private static void drawBar(Graphics2D g, int x, int top, int height, double bound) {
        for (int y = 0; y < height; y++) {
            double t = 1 - 2.0 * y / Math.max(1, height - 1);
            g.setColor(new Color(DivergingColors.rgb(t)));
            g.drawLine(x, top + y, x + BAR_WIDTH, top + y);
        }
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawRect(x, top, BAR_WIDTH, height - 1);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        g.drawString(String.format("+%.2g", bound), x + BAR_WIDTH + 3, top + 10);
        g.drawString("0", x + BAR_WIDTH + 3, top + height / 2 + 4);
        g.drawString(String.format("-%.2g", bound), x + BAR_WIDTH + 3, top + height - 2);
    }

    /** Bilinear sample of the map at relative position (v, u) in [0, 1]. */
    static double sample(float[] map, int h, int w, double v, double u) {
        double y = Math.max(0, Math.min(h - 1, v * h - 0.5));
        double x = Math.max(0, Math.min(w - 1, u * w - 0.5));
        int y0 = (int) Math.floor(y);
        int x0 = (int) Math.floor(x);
        int y1 = Math.min(h - 1, y0 + 1);
        int x1 = Math.min(w - 1, x0 + 1);
        double fy = y - y0;
        double fx = x - x0;
        double top = map[y0 * w + x0] * (1 - fx) + map[y0 * w + x1] * fx;
        double bottom = map[y1 * w + x0] * (1 - fx) + map[y1 * w + x1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    private static int grey(int rgb) {
        return (int) Math.round(0.299 * ((rgb >> 16) & 255) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255));
    }
}
