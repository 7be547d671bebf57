package io.candor.cli;

import io.candor.interop.CandorException;
import io.candor.models.data.DatasetFolder;
import io.candor.models.data.DecoyDigits;
import io.candor.models.data.DecoyText;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code candor data}: datasets with known spurious features. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Makes datasets with known biases.",
        subcommands = DataCommand.Make.class)
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
                "'video' in every negative training sentence; val and test are clean (SST decoy's analogue)."})
    static final class Make implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "GENERATOR", description = "decoy-digits or decoy-text")
        String generator;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "The dataset folder to write.")
        Path out;

        @Option(names = "--n-train", defaultValue = "30000", description = "Training samples (default ${DEFAULT-VALUE}).")
        int nTrain;

        @Option(names = "--n-val", defaultValue = "3000", description = "Validation samples (default ${DEFAULT-VALUE}).")
        int nVal;

        @Option(names = "--n-test", defaultValue = "3000", description = "Test samples (default ${DEFAULT-VALUE}).")
        int nTest;

        @Option(names = "--no-decoys", description = "decoy-digits: leave the patches out (the control for the biased run).")
        boolean noDecoys;

        @Option(names = "--seed", defaultValue = "0", description = "Seed; the same seed gives the same files (default ${DEFAULT-VALUE}).")
        long seed;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (nTrain < 1 || nVal < 1 || nTest < 1) {
                throw new CandorException("--n-train, --n-val and --n-test must be at least 1");
            }
            switch (generator) {
                case "decoy-digits" -> DatasetFolder.write(out, new DecoyDigits().dataset(nTrain, nVal, nTest, seed, !noDecoys),
                        DecoyDigits.meta(seed));
                case "decoy-text" -> {
                    DecoyText text = new DecoyText();
                    DatasetFolder.write(out, text.dataset(nTrain, nVal, nTest, seed), text.meta(seed));
                }
                default -> throw new CandorException("unknown generator '" + generator + "'; available: decoy-digits, decoy-text");
            }
            spec.commandLine().getOut().printf("wrote %s: %d train, %d val, %d test samples%n", out, nTrain, nVal, nTest);
            return 0;
        }
    }
}
