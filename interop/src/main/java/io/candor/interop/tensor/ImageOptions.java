package io.candor.interop.tensor;

/**
 * How images become tensors: resized to {@code height} x {@code width} (0 or less keeps the image's
 * size), scaled to [0, 1], then standardised per channel as (v - mean[c]) / std[c]; grey images give one
 * channel, colour images three (R, G, B).
 */
public record ImageOptions(int height, int width, float[] mean, float[] std, boolean grayscale) {

    /** Keep the size, no standardisation. */
    public static ImageOptions plain(boolean grayscale) {
        return new ImageOptions(0, 0, null, null, grayscale);
    }

    public int channels() {
        return grayscale ? 1 : 3;
    }

    float meanOf(int channel) {
        return mean == null ? 0f : mean[mean.length == 1 ? 0 : channel];
    }

    float stdOf(int channel) {
        return std == null ? 1f : std[std.length == 1 ? 0 : channel];
    }
}
