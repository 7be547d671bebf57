package io.candor.models.data;

import io.candor.interop.CandorException;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.ImageOptions;
import io.candor.interop.tensor.ImageTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * An image folder as users bring one: a subfolder per class (sorted by name; the class index is the
 * position), images inside; optionally a parallel folder of masks with the same relative paths, whose
 * pictures mark the spurious regions (thresholded at half grey). A missing mask means nothing marked.
 */
public final class ImageFolder {
    private ImageFolder() {
    }

    /** Class names: the subfolders, sorted. */
    public static List<String> classes(Path root) {
        if (!Files.isDirectory(root)) {
            throw new CandorException("image folder " + root + " does not exist");
        }
        try (Stream<Path> dirs = Files.list(root)) {
            List<String> names = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            if (names.isEmpty()) {
                throw new CandorException(root + " has no class subfolders (expected one folder of images per class)");
            }
            return names;
        } catch (IOException e) {
            throw new CandorException("cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    /** An image file and its class (the index of its folder among the sorted class folders). */
    public record Labelled(Path file, long label) {
    }

    /** Every image under {@code root}: class by class, each class's files sorted by name. */
    public static List<Labelled> files(Path root) {
        List<String> classes = classes(root);
        List<Labelled> files = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            Path dir = root.resolve(classes.get(c));
            try (Stream<Path> images = Files.list(dir)) {
                for (Path f : images.filter(ImageTensors::isImageName).sorted().toList()) {
                    files.add(new Labelled(f, c));
                }
            } catch (IOException e) {
                throw new CandorException("cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
        if (files.isEmpty()) {
            throw new CandorException("no .png, .jpg or .jpeg images under " + root);
        }
        return files;
    }

    public static DatasetSplit load(Path root, ImageOptions options, Path masks) {
        return load(root, files(root), options, masks);
    }

    /**
     * Some images of the folder {@code root} (from {@link #files}) as a split; with {@code masks}, each
     * image's mask lies under it at the image's path relative to {@code root} (a missing one marks nothing).
     */
    public static DatasetSplit load(Path root, List<Labelled> files, ImageOptions options, Path masks) {
        List<Path> paths = files.stream().map(Labelled::file).toList();
        HostTensor x = ImageTensors.loadAll(paths, options);
        HostTensor y = HostTensor.ofLongs(new long[] {files.size()}, files.stream().mapToLong(Labelled::label).toArray());
        return new DatasetSplit(x, y, masks == null ? null : masks(root, paths, masks, x.shape()));
    }

    private static HostTensor masks(Path root, List<Path> files, Path masks, long[] shape) {
        int h = (int) shape[2];
        int w = (int) shape[3];
        float[] all = new float[files.size() * h * w];
        ImageOptions grey = new ImageOptions(h, w, null, null, true);
        for (int i = 0; i < files.size(); i++) {
            Path mask = masks.resolve(root.relativize(files.get(i)));
            if (Files.isRegularFile(mask)) {
                float[] v = ImageTensors.load(mask, grey).toFloatArray();
                for (int p = 0; p < v.length; p++) {
                    all[i * h * w + p] = v[p] >= 0.5f ? 1 : 0;
                }
            }
        }
        return HostTensor.ofFloats(new long[] {files.size(), 1, h, w}, all);
    }
}
