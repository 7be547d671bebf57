package io.candor.attribution.render;

import java.awt.image.BufferedImage;

/** Turns an input tensor back into a picture to draw attributions over. */
public final class Pictures {
    private Pictures() {
    }

    /**
     * Sample {@code n} of a [batch, channels, h, w] tensor (1 or 3 channels) as an image, each sample's
     * values stretched to the full grey range, since a tensor's normalisation is not known here.
     */
    public static BufferedImage fromTensor(float[] values, long[] shape, int n) {
        int c = (int) shape[1];
        int h = (int) shape[2];
        int w = (int) shape[3];
        int offset = n * c * h * w;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < c * h * w; i++) {
            min = Math.min(min, values[offset + i]);
            max = Math.max(max, values[offset + i]);
        }
        float range = max > min ? max - min : 1;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] rgb = new int[3];
                for (int k = 0; k < 3; k++) {
                    int ch = c == 3 ? k : 0;
                    rgb[k] = Math.round((values[offset + (ch * h + y) * w + x] - min) / range * 255);
                }
                image.setRGB(x, y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
            }
        }
        return image;
    }

    /** True for [batch, 1 or 3, h, w]: tensors that are pictures. */
    public static boolean isPicture(long[] shape) {
        return shape.length == 4 && (shape[1] == 1 || shape[1] == 3);
    }

    /** Sample {@code n} of an attribution tensor summed over channels: [h, w] row-major. */
    public static float[] channelSum(float[] values, long[] shape, int n) {
        int c = (int) shape[1];
        int hw = (int) (shape[2] * shape[3]);
        float[] map = new float[hw];
        for (int k = 0; k < c; k++) {
            for (int i = 0; i < hw; i++) {
                map[i] += values[(n * c + k) * hw + i];
            }
        }
        return map;
    }
}
