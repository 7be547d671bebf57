package io.candor.attribution.report;

import java.awt.image.BufferedImage;
import java.util.Objects;

/** One picture of a row of side-by-side pictures (before | after), with the label shown under it. */
public record LabelledImage(String label, BufferedImage image) {
    public LabelledImage {
        Objects.requireNonNull(image, "image");
    }

    public static LabelledImage of(String label, BufferedImage image) {
        return new LabelledImage(label, image);
    }
}
