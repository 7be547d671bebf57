package io.candor.cli;

import io.candor.interop.CandorException;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.ValueInfo;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.ImageOptions;
import io.candor.interop.tensor.ImageTensors;
import io.candor.interop.tensor.Npy;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The input of a command that explains: a .npy tensor, or image files turned into one. */
final class InputOptions {
    private InputOptions() {
    }

    /** Exactly one of --input and --image. */
    static final class Source {
        @Option(names = "--input", paramLabel = "X.npy", description = "The input tensor (float32 NCHW images, int64 token ids, ...).")
        Path npy;

        @Option(names = "--image", paramLabel = "FILE|DIR", description = "A PNG/JPEG image, or a folder of them (sorted by name).")
        Path image;

        @Option(names = "--data", paramLabel = "DIR",
                description = {"explain: every sample of a dataset folder's --split, or of Parquet rows (X.parquet: candor data",
                    "parquet writes them), on Spark (with --spark; docs/spark.md)."})
        Path data;
    }

    /**
     * @param images the pictures behind an --image input, resized as the model sees them (empty for .npy)
     */
    record Loaded(HostTensor tensor, List<BufferedImage> images, String description) {
    }

    /**
     * @param model the ONNX model, whose declared input gives the image size and channels; {@code null}
     *     for a TorchScript module, which declares none, so --size (and --grayscale) say them
     */
    static Loaded load(Source source, OnnxModel model, int[] size, float[] mean, float[] std, boolean grayscale) {
        if (source.data != null) {
            throw new CandorException("--data explains a whole split on Spark: add --spark (docs/spark.md)");
        }
        if (source.npy != null) {
            return new Loaded(Npy.read(source.npy).requireFinite(source.npy.toString()), List.of(), source.npy.toString());
        }
        long[] declared = {-1, grayscale ? 1 : 3, -1, -1};
        if (model != null) {
            ValueInfo input = model.graph().inputs().get(0);
            declared = input.concreteShape(-1);
            if (declared.length != 4) {
                throw new CandorException("--image needs a model whose input is N x C x H x W; '" + input.name() + "' is "
                        + input.dims());
            }
        }
        int h = size != null ? size[0] : (int) declared[2];
        int w = size != null ? size[size.length - 1] : (int) declared[3];
        if (h <= 0 || w <= 0) {
            throw new CandorException("the model does not fix its input size; give --size H,W");
        }
        ImageOptions options = new ImageOptions(h, w, mean, std, declared[1] == 1);
        List<Path> files = ImageTensors.listImages(source.image);
        HostTensor tensor = ImageTensors.loadAll(files, options);
        List<BufferedImage> pictures = new ArrayList<>();
        for (int n = 0; n < files.size(); n++) {
            pictures.add(ImageTensors.toImage(tensor, n, options));
        }
        return new Loaded(tensor, pictures, files.size() == 1 ? files.get(0).toString() : source.image + " (" + files.size() + " images)");
    }

    /** A mask picture as [H, W] of 0 and 1 (threshold at half grey), resized to the input's last two axes. */
    static HostTensor maskImage(Path file, long[] inputShape) {
        int h = (int) inputShape[inputShape.length - 2];
        int w = (int) inputShape[inputShape.length - 1];
        HostTensor grey = ImageTensors.load(file, new ImageOptions(h, w, null, null, true));
        float[] v = grey.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = v[i] >= 0.5f ? 1f : 0f;
        }
        return HostTensor.ofFloats(new long[] {h, w}, v);
    }
}
