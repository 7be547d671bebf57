package io.candor.interpreter;

import io.candor.attribution.render.DivergingColors;
import io.candor.attribution.render.Pictures;
import io.candor.interop.tensor.HostTensor;
import io.candor.interpreter.LocalExplanation.Contribution;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Locale;
import java.util.Map;

/**
 * The picture of one {@link LocalExplanation}: the input on the left under its title; on the right, one
 * row per top attribute: its label and Phi, its contribution alpha as a horizontal bar (positive red,
 * negative blue, length |alpha| over the largest |alpha| of the K) on a light blue-grey track of colour
 * {@code #E6EBF2} that frames it by {@value #INSET} pixels, so a track's left edge is one unbroken column
 * per bar; alpha's value, and the attribute's picture ({@link AttributePictures#attributeFile}) scaled
 * to fit.
 */
public final class ExplanationPicture {
    /** The colour of the track behind each bar. */
    public static final int TRACK_RGB = 0xE6EBF2;
    /** The track's margin around its bar, in pixels. */
    public static final int INSET = 3;
    /** The side the input picture is drawn at. */
    private static final int INPUT_SIDE = 224;
    private static final int ROW = 112;
    private static final int TRACK_WIDTH = 240;
    private static final int TRACK_HEIGHT = 28;
    private static final int PICTURE_WIDTH = 720;
    private static final int HEADER = 40;
    private static final int GAP = 12;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    /** Where each column starts, in pixels. */
    private record Columns(int chart, int track, int picture) {
    }

    private ExplanationPicture() {
    }

    /** The file name of sample n's picture. */
    public static String fileName(int sample) {
        return "sample_" + sample + ".png";
    }

    /**
     * The picture of {@code e}.
     *
     * @param inputs the batch {@code e} explains a sample of, [N, 1 or 3, H, W] floats
     * @param attributePictures by attribute, its picture; one missing (or null) says so in its place
     */
    public static BufferedImage draw(HostTensor inputs, LocalExplanation e, Map<Integer, BufferedImage> attributePictures) {
        FontMetrics fm = AttributePictures.metrics(SMALL);
        int labelWidth = fm.stringWidth("attribute 000");
        for (Contribution c : e.top()) {
            labelWidth = Math.max(labelWidth, fm.stringWidth(c.label()));
        }
        int valueWidth = fm.stringWidth("+0.000e+00") + 8;

        BufferedImage sample = Pictures.fromTensor(inputs.rows(new int[] {e.sample()}), 0);
        double s = INPUT_SIDE / (double) Math.max(sample.getWidth(), sample.getHeight());
        int inW = (int) Math.round(sample.getWidth() * s);
        int inH = (int) Math.round(sample.getHeight() * s);
        int inputTop = HEADER + 18;
        int chartX = GAP + Math.max(inW, INPUT_SIDE) + 2 * GAP;
        int trackX = chartX + labelWidth + GAP;
        Columns columns = new Columns(chartX, trackX, trackX + TRACK_WIDTH + GAP + valueWidth);
        int width = columns.picture() + PICTURE_WIDTH + GAP;
        int height = Math.max(inputTop + inH, HEADER + e.top().size() * ROW) + GAP;

        BufferedImage canvas = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = AttributePictures.whiteCanvas(canvas);
        g.setColor(Color.BLACK);
        g.setFont(TITLE);
        g.drawString(String.format(Locale.ROOT, "sample %d: f says class %d (p %.3f), g says class %d", e.sample(),
                e.fClass(), e.fProbability(), e.gClass()), GAP, 18);
        g.drawString(String.format(Locale.ROOT, "top %d attributes by alpha_j = Phi_j * W[%d][j]", e.top().size(),
                e.gClass()), chartX, 36);
        g.setFont(SMALL);
        g.drawString("input", GAP, inputTop - 4);
        // Small inputs are enlarged by whole pixels so their pixels stay visible; large ones are smoothed.
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, s >= 1 ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR
                : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(sample, GAP, inputTop, inW, inH, null);

        double bound = 0;
        for (Contribution c : e.top()) {
            bound = Math.max(bound, Math.abs(c.alpha()));
        }
        bound = bound == 0 ? 1 : bound;
        for (int k = 0; k < e.top().size(); k++) {
            Contribution c = e.top().get(k);
            drawRow(g, HEADER + k * ROW, columns, c, bound, attributePictures.get(c.attribute()));
        }
        g.dispose();
        return canvas;
    }

    /** One attribute's row at {@code rowTop}: label and Phi, bar on its track, alpha, and the attribute's picture. */
    private static void drawRow(Graphics2D g, int rowTop, Columns columns, Contribution c, double bound,
            BufferedImage picture) {
        int trackY = rowTop + (ROW - TRACK_HEIGHT) / 2;
        g.setColor(Color.BLACK);
        g.drawString(c.label(), columns.chart(), trackY + 12);
        g.setColor(Color.DARK_GRAY);
        g.drawString(String.format(Locale.ROOT, "Phi %.3g", c.phi()), columns.chart(), trackY + 27);
        g.setColor(new Color(TRACK_RGB));
        g.fillRect(columns.track(), trackY, TRACK_WIDTH, TRACK_HEIGHT);
        int length = (int) Math.round((TRACK_WIDTH - 2 * INSET) * Math.abs(c.alpha()) / bound);
        g.setColor(new Color(DivergingColors.rgb(c.alpha() >= 0 ? 0.85 : -0.85)));
        g.fillRect(columns.track() + INSET, trackY + INSET, length, TRACK_HEIGHT - 2 * INSET);
        g.setColor(Color.BLACK);
        g.drawString(String.format(Locale.ROOT, "%+.3g", c.alpha()), columns.track() + TRACK_WIDTH + 6, trackY + 19);
        if (picture == null) {
            g.setColor(Color.GRAY);
            g.drawString("(no picture of attribute " + c.attribute() + ")", columns.picture(), trackY + 19);
        } else {
            double f = Math.min(PICTURE_WIDTH / (double) picture.getWidth(), (ROW - 8) / (double) picture.getHeight());
            int pw = Math.max(1, (int) Math.round(picture.getWidth() * f));
            int ph = Math.max(1, (int) Math.round(picture.getHeight() * f));
            g.drawImage(shrink(picture, pw, ph), columns.picture(), rowTop + (ROW - ph) / 2, null);
        }
    }

    /**
     * {@code image} scaled down to w x h by halving steps, then one bilinear step: one bilinear step from
     * a picture many times larger would skip most of its pixels.
     */
    private static BufferedImage shrink(BufferedImage image, int w, int h) {
        BufferedImage current = image;
        while (true) {
            int nextW = Math.max(w, current.getWidth() / 2);
            int nextH = Math.max(h, current.getHeight() / 2);
            boolean last = nextW == w && nextH == h;
            if (!last && current.getWidth() < 2 * w && current.getHeight() < 2 * h) {
                nextW = w;
                nextH = h;
                last = true;
            }
            BufferedImage next = new BufferedImage(nextW, nextH, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = next.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(current, 0, 0, nextW, nextH, null);
            g.dispose();
            current = next;
            if (last) {
                return current;
            }
        }
    }
}
