package io.candor.models.data;

import io.candor.interop.CandorException;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One split of a dataset folder: inputs x, integer labels y, where the dataset has spurious
 * features a mask (1 = spurious) that broadcasts to x, and where the generator knows them, concept
 * labels (or null).
 */
public record DatasetSplit(HostTensor x, HostTensor y, HostTensor mask, Concepts concepts) {

    public DatasetSplit {
        if (concepts != null && concepts.size() != x.shape()[0]) {
            throw new CandorException("the concept labels have " + concepts.size() + " rows for " + x.shape()[0] + " samples");
        }
    }

    public DatasetSplit(HostTensor x, HostTensor y, HostTensor mask) {
        this(x, y, mask, null);
    }

    /** The same split with concept labels. */
    public DatasetSplit withConcepts(Concepts labels) {
        return new DatasetSplit(x, y, mask, labels);
    }

    public long size() {
        return x.shape()[0];
    }

    public long[] labels() {
        return y.toLongArray();
    }

    /** Writes x.npy, y.npy and (if any) mask.npy and the concept labels into {@code dir}. */
    public void write(Path dir) {
        Npy.write(dir.resolve("x.npy"), x);
        Npy.write(dir.resolve("y.npy"), y);
        if (mask != null) {
            Npy.write(dir.resolve("mask.npy"), mask);
        }
        if (concepts != null) {
            concepts.write(dir);
        }
    }

    /** Reads a split written by {@link #write}; the label count must match the inputs. */
    public static DatasetSplit read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CandorException("dataset split " + dir + " does not exist");
        }
        HostTensor x = Npy.read(dir.resolve("x.npy"));
        HostTensor y = Npy.read(dir.resolve("y.npy"));
        if (y.rank() != 1 || y.shape()[0] != x.shape()[0] || y.type().isFloating()) {
            throw new CandorException(dir + ": y.npy must hold one integer label per row of x.npy (" + x.shape()[0]
                    + "), got " + java.util.Arrays.toString(y.shape()) + " " + y.type());
        }
        Path maskFile = dir.resolve("mask.npy");
        Path conceptFile = dir.resolve(Concepts.FILE);
        return new DatasetSplit(x, y, Files.exists(maskFile) ? Npy.read(maskFile) : null,
                Files.exists(conceptFile) ? Concepts.read(conceptFile) : null);
    }
}
