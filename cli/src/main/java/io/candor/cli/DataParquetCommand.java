package io.candor.cli;

import io.candor.interop.CandorException;
import io.candor.interop.onnx.OnnxReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code candor data parquet}: a split as Parquet rows, written by Spark, for the --spark commands to read from anywhere. */
@Command(name = "parquet", mixinStandardHelpOptions = true,
        description = {"Writes a split as Candor's Parquet rows (id, label, x and mask: tensors as bytes, their type and",
            "shape in the column metadata; docs/spark.md), on Apache Spark: the workers read a dataset folder's",
            "split, or decode an image folder's pictures (SPLIT/CLASS/NAME.png, classes sorted), where they lie.",
            "evaluate and explain read the rows with --data ROWS.parquet --spark."})
final class DataParquetCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "A dataset folder (candor data make) or image folders (DIR/SPLIT/CLASS/*.png).")
    Path data;

    @Option(names = "--split", defaultValue = "test", description = "The split to write (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--model", paramLabel = "MODEL.onnx",
            description = "Image folders: the model the rows are for; its input gives the size and the channels.")
    Path model;

    @Option(names = "--size", paramLabel = "H,W", split = ",", description = "Image folders: the size, without --model.")
    int[] size;

    @Option(names = "--grayscale", description = "Image folders, without --model: one grey channel (default: RGB).")
    boolean grayscale;

    @Option(names = "--masks", paramLabel = "DIR",
            description = {"Image folders: mask pictures under DIR at the images' relative paths (DIR/SPLIT/CLASS/NAME.png;",
                "white = spurious; a missing mask marks nothing)."})
    Path masks;

    @Option(names = "--mean", paramLabel = "M1,M2,...", split = ",", description = "Image folders: per-channel mean subtracted after scaling to [0, 1].")
    float[] mean;

    @Option(names = "--std", paramLabel = "S1,S2,...", split = ",", description = "Image folders: per-channel standard deviation dividing.")
    float[] std;

    @Option(names = "--spark", arity = "0..1", defaultValue = "local[2]", fallbackValue = "local[2]", paramLabel = "MASTER",
            description = "The Spark master (default ${DEFAULT-VALUE}; spark://HOST:PORT, yarn, k8s://...).")
    String spark;

    @Option(names = "--out", required = true, paramLabel = "ROWS.parquet", description = "Where to write the rows (a new path).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        boolean folder = Files.exists(data.resolve("meta.json")) || Files.exists(data.resolve(split).resolve("x.npy"));
        OptionChecks.of(spec).require(Files.isDirectory(data.resolve(split)), data.resolve(split) + " does not exist")
                .onlyWhen("--model", !folder, "image folders").onlyWhen("--size", !folder, "image folders")
                .onlyWhen("--masks", !folder, "image folders").onlyWhen("--mean", !folder, "image folders")
                .onlyWhen("--std", !folder, "image folders").onlyWhen("--grayscale", !folder, "image folders")
                .require(folder || model != null || size != null, "image folders need --model or --size H,W")
                .require(model == null || size == null, "give --model or --size, not both")
                .require(size == null || size.length == 2 && size[0] > 0 && size[1] > 0, "--size takes H,W, both positive");
        SparkJobs.ImageSpec images = folder ? null : images();
        long start = System.nanoTime();
        long n = SparkJobs.load().writeRows(spark, data, split, images, out);
        spec.commandLine().getOut().printf("wrote %d rows of %s to %s in %d s%n", n, data.resolve(split), out,
                (System.nanoTime() - start) / 1_000_000_000L);
        return 0;
    }

    private SparkJobs.ImageSpec images() {
        if (size != null) {
            return new SparkJobs.ImageSpec(size[0], size[1], mean, std, grayscale, masks);
        }
        long[] shape = OnnxReader.read(model).graph().inputs().get(0).concreteShape(-1);
        if (shape.length != 4 || shape[2] <= 0 || shape[3] <= 0) {
            throw new CandorException(model + " does not take N x C x H x W images of a fixed size; give --size H,W");
        }
        return new SparkJobs.ImageSpec((int) shape[2], (int) shape[3], mean, std, shape[1] == 1, masks);
    }
}
