package io.candor.cli;

import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import io.candor.models.data.DatasetFolder;
import io.candor.models.data.ColorDigits;
import io.candor.models.data.DecoyDigits;
import io.candor.models.data.PatchLesions;
import io.candor.models.data.DecoyText;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code candor data}: datasets with known spurious features. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Makes datasets with known biases, draws them, and writes splits as Parquet rows for Spark.",
        subcommands = {DataCommand.Make.class, DataCommand.Show.class, DataParquetCommand.class})
final class DataCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "make", mixinStandardHelpOptions = true,
            description = {"Generates a dataset folder: train/, val/, test/ (x.npy, y.npy, mask.npy) and meta.json.", "",
                "decoy-digits: 28x28 digits drawn from the machine's fonts with a 5x5 corner patch whose grey",
                "level gives the class in train and val and lies in test (DecoyMNIST's analogue); test_clean/",
                "holds the same test digits without a patch.",
                "decoy-text: short sentiment sentences (label 1 positive) with 'text' in every positive and",
                "'video' in every negative training sentence; val and test are clean (SST decoy's analogue);",
                "vocabulary.txt holds the words in id order.",
                "color-digits: digits tinted by class (colour y in train/val, 9 - y in test), standardised.",
                "patch-lesions: --size x --size skin images, benign or malignant lesions; half the benign ones carry",
                "a band-aid-like patch (mask.npy); the lesion's look overlaps between the classes (about 86%% from the",
                "lesion alone); test_no_patches/ holds the test images without patches, test_attacked/ with a patch",
                "on every one."})
    static final class Make implements Callable<Integer> {
        /** The word list decoy-text writes beside its splits. */
        static final String VOCABULARY = "vocabulary.txt";

        @Parameters(index = "0", paramLabel = "GENERATOR", description = "decoy-digits, decoy-text, color-digits or patch-lesions")
        String generator;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "The dataset folder to write.")
        Path out;

        @Option(names = "--n-train", defaultValue = "30000", description = "Training samples (default ${DEFAULT-VALUE}).")
        int nTrain;

        @Option(names = "--n-val", defaultValue = "3000", description = "Validation samples (default ${DEFAULT-VALUE}).")
        int nVal;

        @Option(names = "--n-test", defaultValue = "3000", description = "Test samples (default ${DEFAULT-VALUE}).")
        int nTest;

        @Option(names = "--size", defaultValue = "64", description = "patch-lesions: image side (default ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--no-decoys", description = "decoy-digits, patch-lesions: leave the patches out of train, val and test (the control for the biased run).")
        boolean noDecoys;

        @Option(names = "--seed", defaultValue = "0", description = "Seed; the same seed gives the same files (default ${DEFAULT-VALUE}).")
        long seed;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            OptionChecks.of(spec).positive("--n-train", nTrain).positive("--n-val", nVal).positive("--n-test", nTest)
                    .positive("--size", size);
            switch (generator) {
                case "decoy-digits" -> DatasetFolder.write(out, new DecoyDigits().dataset(nTrain, nVal, nTest, seed, !noDecoys),
                        DecoyDigits.meta(seed));
                case "decoy-text" -> {
                    DecoyText text = new DecoyText();
                    DatasetFolder.write(out, text.dataset(nTrain, nVal, nTest, seed), text.meta(seed));
                    // One word per line in id order: what explain --vocab and the TSV loaders read.
                    AtomicFiles.writeString(out.resolve(VOCABULARY), String.join("\n", text.vocabulary()) + "\n");
                }
                case "color-digits" -> {
                    ColorDigits.Dataset colours = new ColorDigits().dataset(nTrain, nVal, nTest, seed);
                    DatasetFolder.write(out, colours.splits(), colours.meta(seed));
                }
                case "patch-lesions" -> {
                    if (size < 16) {
                        throw new CandorException("--size must be at least 16");
                    }
                    PatchLesions lesions = new PatchLesions(size, !noDecoys);
                    DatasetFolder.write(out, lesions.dataset(nTrain, nVal, nTest, seed), lesions.meta(seed));
                }
                default -> throw new CandorException("unknown generator '" + generator
                        + "'; available: decoy-digits, decoy-text, color-digits, patch-lesions");
            }
            spec.commandLine().getOut().printf("wrote %s: %d train, %d val, %d test samples%n", out, nTrain, nVal, nTest);
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Draws a grid of samples of an image dataset with their labels, masks outlined in red.")
    static final class Show implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR", description = "A dataset folder.")
        Path data;

        @Option(names = "--split", defaultValue = "train", description = "The split to draw (default ${DEFAULT-VALUE}).")
        String split;

        @Option(names = "--count", defaultValue = "32", description = "Samples to draw (default ${DEFAULT-VALUE}).")
        int count;

        @Option(names = "--out", required = true, paramLabel = "GRID.png", description = "The picture to write.")
        Path out;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws java.io.IOException {
            OptionChecks.of(spec).positive("--count", count);
            io.candor.models.data.DatasetSplit s = DatasetFolder.read(data, split);
            long[] shape = s.x().shape();
            if (!io.candor.attribution.render.Pictures.isPicture(shape)) {
                throw new CandorException("data show draws image datasets (N x 1 or 3 x H x W); " + data + " holds "
                        + java.util.Arrays.toString(shape));
            }
            int n = (int) Math.min(count, shape[0]);
            int h = (int) shape[2];
            int w = (int) shape[3];
            int scale = Math.max(1, 84 / Math.max(h, w));
            int cols = Math.min(8, n);
            int rows = (n + cols - 1) / cols;
            int cellW = w * scale + 8;
            int cellH = h * scale + 22;
            java.awt.image.BufferedImage grid = new java.awt.image.BufferedImage(cols * cellW, rows * cellH,
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            java.awt.Graphics2D g = grid.createGraphics();
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            long[] labels = s.labels();
            float[] mask = s.mask() == null ? null : s.mask().toFloatArray();
            long maskPerSample = mask == null ? 0 : s.mask().size() / (s.mask().shape()[0] == shape[0] ? shape[0] : 1);
            for (int i = 0; i < n; i++) {
                int x0 = (i % cols) * cellW + 4;
                int y0 = (i / cols) * cellH + 4;
                g.drawImage(io.candor.attribution.render.Pictures.fromTensor(s.x(), i), x0, y0, w * scale, h * scale, null);
                if (mask != null) {
                    int offset = s.mask().shape()[0] == shape[0] ? (int) (i * maskPerSample) : 0;
                    g.setColor(java.awt.Color.RED);
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            if (mask[offset + y * w + x] > 0.5f && edge(mask, offset, x, y, w, h)) {
                                g.fillRect(x0 + x * scale, y0 + y * scale, scale, scale);
                            }
                        }
                    }
                }
                g.setColor(java.awt.Color.BLACK);
                g.drawString("label " + labels[i], x0, y0 + h * scale + 14);
            }
            g.dispose();
            java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(grid, "png", png);
            io.candor.interop.io.AtomicFiles.writeBytes(out, png.toByteArray());
            spec.commandLine().getOut().printf("wrote %s: %d samples of %s/%s%n", out, n, data.getFileName(), split);
            return 0;
        }

        /** A marked pixel with an unmarked (or outside) neighbour: the outline. */
        private static boolean edge(float[] mask, int offset, int x, int y, int w, int h) {
            int[][] around = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
            for (int[] d : around) {
                int nx = x + d[0];
                int ny = y + d[1];
                if (nx < 0 || ny < 0 || nx >= w || ny >= h || mask[offset + ny * w + nx] <= 0.5f) {
                    return true;
                }
            }
            return false;
        }
    }
}
