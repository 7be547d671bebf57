package io.candor.attribution.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Pictures as PNG data URIs, so a report carries its images inside the one file. */
final class PngImages {
    private PngImages() {
    }

    static String dataUri(BufferedImage image) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png(image));
    }

    static byte[] png(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // In memory: ImageIO's default stream cache would put a temporary file on disk for each picture.
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            if (!ImageIO.write(image, "png", out) && !ImageIO.write(asArgb(image), "png", out)) {
                throw new IllegalArgumentException("cannot encode an image of type " + image.getType() + " as PNG");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode an image as PNG", e);
        }
        return bytes.toByteArray();
    }

    /** A plain ARGB copy, for image types the PNG writer does not take (premultiplied alpha, custom). */
    private static BufferedImage asArgb(BufferedImage image) {
        BufferedImage copy = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_ARGB);
        copy.getGraphics().drawImage(image, 0, 0, null);
        return copy;
    }
}
