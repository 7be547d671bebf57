package io.candor.models.data;

import io.candor.interop.CandorException;
import io.candor.interop.tensor.HostTensor;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * MNIST's IDX files (also gzipped): images (magic 2051, unsigned bytes, N x rows x cols) become
 * [N, 1, rows, cols] floats scaled to [0, 1], labels (magic 2049) int64.
 */
public final class MnistIdx {
    private static final int IMAGES = 0x00000803;
    private static final int LABELS = 0x00000801;

    private MnistIdx() {
    }

    public static DatasetSplit read(Path images, Path labels) {
        HostTensor x = readImages(images);
        HostTensor y = readLabels(labels);
        if (x.shape()[0] != y.shape()[0]) {
            throw new CandorException(images + " holds " + x.shape()[0] + " images but " + labels + " " + y.shape()[0] + " labels");
        }
        return new DatasetSplit(x, y, null);
    }

    public static HostTensor readImages(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != IMAGES) {
                throw new CandorException(file + " is not an IDX image file (magic " + magic + ", expected " + IMAGES + ")");
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[] bytes = in.readNBytes(Math.multiplyExact(Math.multiplyExact(n, rows), cols));
            if (bytes.length < (long) n * rows * cols) {
                throw new CandorException(file + " is truncated: " + n + " images of " + rows + "x" + cols + " need "
                        + (long) n * rows * cols + " bytes, found " + bytes.length);
            }
            float[] v = new float[bytes.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (bytes[i] & 0xff) / 255f;
            }
            return HostTensor.ofFloats(new long[] {n, 1, rows, cols}, v);
        } catch (IOException e) {
            throw new CandorException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static HostTensor readLabels(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != LABELS) {
                throw new CandorException(file + " is not an IDX label file (magic " + magic + ", expected " + LABELS + ")");
            }
            int n = in.readInt();
            byte[] bytes = in.readNBytes(n);
            if (bytes.length < n) {
                throw new CandorException(file + " is truncated: " + n + " labels announced, " + bytes.length + " found");
            }
            long[] y = new long[n];
            for (int i = 0; i < n; i++) {
                y[i] = bytes[i] & 0xff;
            }
            return HostTensor.ofLongs(new long[] {n}, y);
        } catch (IOException e) {
            throw new CandorException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new CandorException("IDX file " + file + " does not exist");
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(file));
        return new DataInputStream(file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw);
    }
}
