package io.candor.interop.tensor;

import java.util.Arrays;

/**
 * How images become tensors: resized to {@code height} x {@code width} (0 or less keeps the image's own
 * height or width), scaled to [0, 1] by /255, then standardised per channel as
 * {@code (v - mean[c]) / std[c]}. Grey images give one channel and colour images three (R, G, B) when
 * {@code grayscale} is false; with {@code grayscale} true every image gives one channel.
 *
 * <p>{@code mean} and {@code std} hold one value per channel, or a single value for all channels;
 * {@code null} means mean 0 and std 1. The arrays are copied in and out, so an instance never changes.
 */
public record ImageOptions(int height, int width, float[] mean, float[] std, boolean grayscale) {

    public ImageOptions {
        mean = mean == null ? null : mean.clone();
        std = std == null ? null : std.clone();
    }

    /** Keep the size, no standardisation. */
    public static ImageOptions plain(boolean grayscale) {
        return new ImageOptions(0, 0, null, null, grayscale);
    }

    /** A copy of the per-channel means, or {@code null} for 0. */
    @Override
    public float[] mean() {
        return mean == null ? null : mean.clone();
    }

    /** A copy of the per-channel standard deviations, or {@code null} for 1. */
    @Override
    public float[] std() {
        return std == null ? null : std.clone();
    }

    /** 1 for grayscale, else 3. */
    public int channels() {
        return grayscale ? 1 : 3;
    }

    float meanOf(int channel) {
        return mean == null ? 0f : mean[mean.length == 1 ? 0 : channel];
    }

    float stdOf(int channel) {
        return std == null ? 1f : std[std.length == 1 ? 0 : channel];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageOptions other && height == other.height && width == other.width
                && grayscale == other.grayscale && Arrays.equals(mean, other.mean) && Arrays.equals(std, other.std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * (31 * height + width) + Arrays.hashCode(mean)) + Arrays.hashCode(std))
                + Boolean.hashCode(grayscale);
    }

    @Override
    public String toString() {
        return "ImageOptions[height=" + height + ", width=" + width + ", mean=" + Arrays.toString(mean) + ", std="
                + Arrays.toString(std) + ", grayscale=" + grayscale + "]";
    }
}
