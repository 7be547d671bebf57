package io.candor.interop.tensor;

import io.candor.interop.CandorException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** PNG and JPEG files to NCHW float tensors and back. */
public final class ImageTensors {
    private ImageTensors() {
    }

    /** A file itself, or the .png/.jpg/.jpeg files of a folder sorted by name. */
    public static List<Path> listImages(Path fileOrDir) {
        if (Files.isRegularFile(fileOrDir)) {
            return List.of(fileOrDir);
        }
        if (!Files.isDirectory(fileOrDir)) {
            throw new CandorException("image file or folder " + fileOrDir + " does not exist");
        }
        try (Stream<Path> files = Files.list(fileOrDir)) {
            List<Path> images = files.filter(ImageTensors::isImageName).sorted().toList();
            if (images.isEmpty()) {
                throw new CandorException("no .png, .jpg or .jpeg files in " + fileOrDir);
            }
            return images;
        } catch (IOException e) {
            throw new CandorException("cannot list " + fileOrDir + ": " + e.getMessage(), e);
        }
    }

    public static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    /** Reads an image file; a missing or undecodable file is an error naming it. */
    public static BufferedImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CandorException("image " + file + " does not exist");
        }
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new CandorException(file + " is not a PNG or JPEG image this reader can decode");
            }
            return image;
        } catch (IOException e) {
            throw new CandorException("cannot read image " + file + ": " + e.getMessage(), e);
        }
    }

    /** One image as [1, C, H, W]. */
    public static HostTensor load(Path file, ImageOptions o) {
        return loadAll(List.of(file), o);
    }

    /** Images as [N, C, H, W]; without a target size they must all have the first one's size. */
    public static HostTensor loadAll(List<Path> files, ImageOptions o) {
        List<BufferedImage> images = new ArrayList<>();
        for (Path f : files) {
            images.add(read(f));
        }
        return toTensor(images, files, o);
    }

    /** The images as they enter the tensor: resized to the options' size. */
    public static BufferedImage resized(BufferedImage image, ImageOptions o) {
        int h = o.height() > 0 ? o.height() : image.getHeight();
        int w = o.width() > 0 ? o.width() : image.getWidth();
        if (h == image.getHeight() && w == image.getWidth()) {
            return image;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    private static HostTensor toTensor(List<BufferedImage> images, List<Path> files, ImageOptions o) {
        int c = o.channels();
        checkStatistics(o, c);
        BufferedImage first = resized(images.get(0), o);
        int h = first.getHeight();
        int w = first.getWidth();
        float[] v = new float[images.size() * c * h * w];
        for (int n = 0; n < images.size(); n++) {
            BufferedImage image = resized(images.get(n), o);
            if (image.getHeight() != h || image.getWidth() != w) {
                throw new CandorException(files.get(n) + " is " + image.getWidth() + "x" + image.getHeight() + " but "
                        + files.get(0) + " is " + w + "x" + h + "; give a size to resize them all");
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = image.getRGB(x, y);
                    float[] channels = {(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255};
                    for (int k = 0; k < c; k++) {
                        float value = c == 1 ? luma(channels) : channels[k];
                        v[((n * c + k) * h + y) * w + x] = (value / 255f - o.meanOf(k)) / o.stdOf(k);
                    }
                }
            }
        }
        return HostTensor.ofFloats(new long[] {images.size(), c, h, w}, v);
    }

    /** Sample {@code index} of an [N, C, H, W] tensor as an image, undoing the standardisation. */
    public static BufferedImage toImage(HostTensor nchw, int index, ImageOptions o) {
        long[] s = nchw.shape();
        if (s.length != 4 || (s[1] != 1 && s[1] != 3)) {
            throw new CandorException("an image tensor is N x 1 or 3 x H x W, got " + java.util.Arrays.toString(s));
        }
        int c = (int) s[1];
        int h = (int) s[2];
        int w = (int) s[3];
        float[] v = nchw.toFloatArray();
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] rgb = new int[3];
                for (int k = 0; k < 3; k++) {
                    int ch = c == 3 ? k : 0;
                    float value = (v[((index * c + ch) * h + y) * w + x] * o.stdOf(ch) + o.meanOf(ch)) * 255f;
                    rgb[k] = Math.max(0, Math.min(255, Math.round(value)));
                }
                image.setRGB(x, y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
            }
        }
        return image;
    }

    private static void checkStatistics(ImageOptions o, int channels) {
        for (float[] stats : new float[][] {o.mean(), o.std()}) {
            if (stats != null && stats.length != 1 && stats.length != channels) {
                throw new CandorException("mean and std need 1 or " + channels + " values, got " + stats.length);
            }
        }
        if (o.std() != null) {
            for (float s : o.std()) {
                if (s == 0) {
                    throw new CandorException("a standard deviation of 0 would divide by zero");
                }
            }
        }
    }

    private static float luma(float[] rgb) {
        return 0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2];
    }
}
