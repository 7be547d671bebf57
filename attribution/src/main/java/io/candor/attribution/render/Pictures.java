package io.candor.attribution.render;

import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.ImageOptions;
import io.candor.interop.tensor.ImageTensors;
import java.awt.image.BufferedImage;

/** Turns an input tensor back into a picture to draw attributions over. */
public final class Pictures {
    private Pictures() {
    }

    /**
     * Sample {@code n} of a [batch, channels, h, w] tensor (1 or 3 channels) as an image, the sample's
     * values stretched to the full grey range, since a tensor's normalisation is not known here.
     */
    public static BufferedImage fromTensor(HostTensor tensor, int n) {
        long[] s = tensor.shape();
        int size = (int) (s[1] * s[2] * s[3]);
        float[] values = tensor.toFloatArray();
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = n * size; i < (n + 1) * size; i++) {
            min = Math.min(min, values[i]);
            max = Math.max(max, values[i]);
        }
        float range = max > min ? max - min : 1;
        // toImage computes (v * std + mean) * 255; these map [min, max] to [0, 255].
        ImageOptions stretch = new ImageOptions(0, 0, new float[] {-min / range}, new float[] {1 / range}, s[1] == 1);
        return ImageTensors.toImage(tensor, n, stretch);
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
