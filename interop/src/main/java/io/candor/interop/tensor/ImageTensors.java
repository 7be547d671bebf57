package io.candor.interop.tensor;

import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * PNG and JPEG files to NCHW float tensors, and tensors back to pictures.
 *
 * <p>Grey images are read from their raw samples: {@link BufferedImage#getRGB} would pass them through
 * Java's linear-to-sRGB curve (grey 64 reads as 137). Resizing is bilinear with half-pixel centres and
 * edge clamping, the convention of PyTorch's {@code interpolate(mode="bilinear", align_corners=False)}
 * without antialiasing, done here on the floats rather than by Java2D so that it is exact and the same
 * on every JDK.
 */
public final class ImageTensors {
    private ImageTensors() {
    }

    /**
     * The images to load from a path: a file is itself; a folder gives its .png, .jpg and .jpeg files
     * (any case, hidden files skipped) sorted by name.
     *
     * @throws CandorException when the path does not exist or the folder has no such files
     */
    public static List<Path> listImages(Path fileOrDir) {
        if (Files.isRegularFile(fileOrDir)) {
            return List.of(fileOrDir);
        }
        if (!Files.isDirectory(fileOrDir)) {
            throw new CandorException("image file or folder " + fileOrDir + " does not exist");
        }
        try (Stream<Path> files = Files.list(fileOrDir)) {
            List<Path> images = files
                    .filter(p -> isImageName(p) && !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
            if (images.isEmpty()) {
                throw new CandorException("no .png, .jpg or .jpeg files in " + fileOrDir);
            }
            return images;
        } catch (IOException e) {
            throw new CandorException("cannot list " + fileOrDir + ": " + AtomicFiles.describe(e), e);
        }
    }

    /** True for names ending in .png, .jpg or .jpeg, in any case. */
    public static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    /**
     * Decodes an image file.
     *
     * @throws CandorException naming the file when it is missing, a folder, or not an image ImageIO can decode
     */
    public static BufferedImage read(Path file) {
        if (Files.isDirectory(file)) {
            throw new CandorException(file + " is a folder, not an image");
        }
        if (!Files.exists(file)) {
            throw new CandorException("image " + file + " does not exist");
        }
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            // ImageIO reports damaged files as IIOException, and now and then as an unchecked exception
            String why = e instanceof IOException io ? AtomicFiles.describe(io) : e.toString();
            throw new CandorException("cannot read image " + file + ": " + why, e);
        }
        if (image == null) {
            throw new CandorException(file + " is not a PNG or JPEG image (no image reader recognises its contents)");
        }
        return image;
    }

    /** One image as a [1, C, H, W] FLOAT32 tensor; see {@link ImageOptions} for C, H, W and the values. */
    public static HostTensor load(Path imageFile, ImageOptions o) {
        return loadAll(List.of(imageFile), o);
    }

    /**
     * Images as an [N, C, H, W] FLOAT32 tensor, in the order given. With a size in the options all are
     * resized to it; without, they must all have the first image's size.
     *
     * @throws CandorException naming the file at fault: missing or unreadable, of another size than the
     *     first, or loaded with a mean or std that does not fit its channels
     */
    public static HostTensor loadAll(List<Path> files, ImageOptions o) {
        if (files.isEmpty()) {
            throw new CandorException("no image files to load");
        }
        int c = o.channels();
        checkStatistics(o, c, files.get(0).toString());
        int h = 0;
        int w = 0;
        float[] out = null;
        for (int n = 0; n < files.size(); n++) {
            Path file = files.get(n);
            BufferedImage image = read(file);
            int targetH = o.height() > 0 ? o.height() : image.getHeight();
            int targetW = o.width() > 0 ? o.width() : image.getWidth();
            if (n == 0) {
                h = targetH;
                w = targetW;
                out = new float[checkedSize(files.size(), c, h, w, file)];
            } else if (targetH != h || targetW != w) {
                throw new CandorException(file + " is " + image.getWidth() + "x" + image.getHeight() + " but "
                        + files.get(0) + " is " + w + "x" + h + " (width x height); give a size to resize them all");
            }
            float[] planes = bilinear(planes(image, c), c, image.getHeight(), image.getWidth(), h, w);
            int offset = n * c * h * w;
            for (int k = 0; k < c; k++) {
                float mean = o.meanOf(k);
                float std = o.stdOf(k);
                for (int i = k * h * w, end = (k + 1) * h * w; i < end; i++) {
                    out[offset + i] = (planes[i] - mean) / std;
                }
            }
        }
        return HostTensor.ofFloats(new long[] {files.size(), c, h, w}, out);
    }

    /**
     * Sample {@code index} of an [N, C, H, W] tensor (C is 1 or 3) as an RGB picture: the options' mean
     * and std are undone, values scaled by 255 and clamped to [0, 255]; one channel gives grey.
     */
    public static BufferedImage toImage(HostTensor nchw, int index, ImageOptions o) {
        long[] s = nchw.shape();
        if (s.length != 4 || (s[1] != 1 && s[1] != 3)) {
            throw new CandorException("an image tensor is N x C x H x W with C 1 or 3, got " + Arrays.toString(s));
        }
        if (index < 0 || index >= s[0]) {
            throw new CandorException("image " + index + " asked of a tensor holding " + s[0]);
        }
        int c = (int) s[1];
        int h = (int) s[2];
        int w = (int) s[3];
        checkStatistics(o, c, "the image tensor");
        float[] v = nchw.toFloatArray();
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = 0;
                for (int k = 0; k < 3; k++) {
                    int ch = c == 3 ? k : 0;
                    float value = (v[((index * c + ch) * h + y) * w + x] * o.stdOf(ch) + o.meanOf(ch)) * 255f;
                    rgb = rgb << 8 | Math.max(0, Math.min(255, Math.round(value)));
                }
                row[x] = rgb;
            }
            image.setRGB(0, y, w, 1, row, 0, w);
        }
        return image;
    }

    /** {@link #toImage(HostTensor, int, ImageOptions)} with only the standardisation to undo ({@code null}: none). */
    public static BufferedImage toImage(HostTensor nchw, int index, float[] mean, float[] std) {
        long[] s = nchw.shape();
        return toImage(nchw, index, new ImageOptions(0, 0, mean, std, s.length == 4 && s[1] == 1));
    }

    /** The image's values in [0, 1] as {@code channels} planes of its own size. */
    private static float[] planes(BufferedImage image, int channels) {
        int h = image.getHeight();
        int w = image.getWidth();
        int plane = h * w;
        float[] v = new float[channels * plane];
        ColorModel cm = image.getColorModel();
        if (!(cm instanceof IndexColorModel) && cm.getNumColorComponents() == 1) {
            // A grey image (perhaps with alpha in band 1): the raw samples are the grey levels.
            Raster raster = image.getRaster();
            float max = (float) ((1L << cm.getComponentSize(0)) - 1);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float g = raster.getSample(x, y, 0) / max;
                    for (int k = 0; k < channels; k++) {
                        v[k * plane + y * w + x] = g;
                    }
                }
            }
            return v;
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w); // sRGB, alpha in the top byte, which is dropped
            for (int x = 0; x < w; x++) {
                float r = (row[x] >> 16 & 255) / 255f;
                float g = (row[x] >> 8 & 255) / 255f;
                float b = (row[x] & 255) / 255f;
                int i = y * w + x;
                if (channels == 1) {
                    v[i] = 0.299f * r + 0.587f * g + 0.114f * b; // ITU-R BT.601 luma, as PIL's convert("L")
                } else {
                    v[i] = r;
                    v[plane + i] = g;
                    v[2 * plane + i] = b;
                }
            }
        }
        return v;
    }

    /** Bilinear resize of {@code c} planes from sh x sw to dh x dw, half-pixel centres, edges clamped. */
    static float[] bilinear(float[] src, int c, int sh, int sw, int dh, int dw) {
        if (sh == dh && sw == dw) {
            return src;
        }
        Axis ys = new Axis(sh, dh);
        Axis xs = new Axis(sw, dw);
        float[] dst = new float[c * dh * dw];
        for (int k = 0; k < c; k++) {
            int in = k * sh * sw;
            int out = k * dh * dw;
            for (int y = 0; y < dh; y++) {
                int r0 = in + ys.lo[y] * sw;
                int r1 = in + ys.hi[y] * sw;
                float fy = ys.frac[y];
                for (int x = 0; x < dw; x++) {
                    int x0 = xs.lo[x];
                    int x1 = xs.hi[x];
                    float fx = xs.frac[x];
                    float top = src[r0 + x0] + (src[r0 + x1] - src[r0 + x0]) * fx;
                    float bottom = src[r1 + x0] + (src[r1 + x1] - src[r1 + x0]) * fx;
                    dst[out + y * dw + x] = top + (bottom - top) * fy;
                }
            }
        }
        return dst;
    }

    /** For each output position along one axis: the two source positions and the weight of the second. */
    private static final class Axis {
        final int[] lo;
        final int[] hi;
        final float[] frac;

        Axis(int in, int out) {
            lo = new int[out];
            hi = new int[out];
            frac = new float[out];
            double scale = (double) in / out;
            for (int i = 0; i < out; i++) {
                double s = Math.max(0, (i + 0.5) * scale - 0.5);
                int l = Math.min((int) s, in - 1);
                lo[i] = l;
                hi[i] = Math.min(l + 1, in - 1);
                frac[i] = (float) (s - l);
            }
        }
    }

    private static void checkStatistics(ImageOptions o, int channels, String forWhat) {
        String[] names = {"mean", "std"};
        float[][] stats = {o.mean(), o.std()};
        for (int i = 0; i < 2; i++) {
            float[] values = stats[i];
            if (values == null) {
                continue;
            }
            if (values.length != 1 && values.length != channels) {
                throw new CandorException(forWhat + ": " + names[i] + " has " + values.length + " values but the image"
                        + " has " + channels + " channel" + (channels == 1 ? "" : "s") + "; give 1 or " + channels);
            }
            for (float v : values) {
                if (Float.isNaN(v) || (i == 1 && v == 0)) {
                    throw new CandorException(forWhat + ": " + names[i] + " holds " + v
                            + (i == 1 ? "; a standard deviation must not be 0" : "; a mean must be a number"));
                }
            }
        }
    }

    private static int checkedSize(int n, int c, int h, int w, Path first) {
        long size = (long) n * c * h * w;
        if (size > Integer.MAX_VALUE - 8) {
            throw new CandorException(n + " images of " + c + " x " + h + " x " + w + " (from " + first
                    + ") are too many values for one tensor; load fewer or smaller images");
        }
        return (int) size;
    }
}
