package io.candor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code candor demo}: Candor's three jobs on built-in data, end to end ({@link DemoStory}, {@link DemoReport}). */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs Candor's three jobs on built-in data and writes DIR/report.html.", "",
            "Makes decoy-digits (digits with a class-coding corner patch that lies at test time) and trains",
            "the CDEP paper's MNIST CNN on it, which learns the patch; explains test digits (CD's share of",
            "the corners, CD tile maps, Grad-CAM); learns the model's attribute dictionary (FLINT) with the",
            "concepts corner_patch, closed_loop and straight_only bound; repairs it by fine-tuning the layers",
            "after the convolutions with CDEP on the corners, from the cached prefix; measures and explains",
            "the repaired model next to the same fine-tuning without a penalty and CDEP from scratch; checks",
            "the repaired ONNX in ONNX Runtime; and puts it all on one page. Each step is one of Candor's",
            "commands, printed as it runs and in the report, and every file stays in DIR.",
            "About 4 minutes on 2 cores."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "candor-demo", paramLabel = "DIR", description = "Where to write everything (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of data, initialisation and shuffling (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--quick", description = {"Every step on little data in well under a minute, to check that the",
        "story runs; its numbers mean nothing."})
    boolean quick;

    @Option(names = "--text", description = {"The same story on decoy-text with an LSTM: sentiment sentences with a decoy",
        "word per class in training; the explanations are CD of each sentence's decoy word and of each",
        "token. About a minute on 2 cores."})
    boolean text;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter pw = spec.commandLine().getOut();
        DemoSetting setting = text ? DemoSetting.text(quick) : DemoSetting.digits(quick);
        DemoStory story = new DemoStory(out, seed, setting, pw);
        DemoReport.Results results = story.run();
        Path report = out.resolve("report.html");
        DemoReport.write(results, report);
        DemoStory.Measured biased = results.model("biased");
        DemoStory.Measured repaired = results.model("repaired");
        pw.printf(Locale.ROOT, "%naccuracy on %s: %.1f%% biased, %.1f%% repaired (%.1f%% fine-tuned without a penalty, %.1f%%"
                + " CDEP from scratch)%n", setting.mainSplit().label(), 100 * biased.main(), 100 * repaired.main(),
                100 * results.model("finetuned").main(), 100 * results.model("cdep-scratch").main());
        pw.printf(Locale.ROOT, "CD share of the spurious feature: %.1f%% before, %.1f%% after%n", 100 * biased.cdShare(),
                100 * repaired.cdShare());
        pw.println(results.verdict());
        pw.printf(Locale.ROOT, "done in %.0f s; open %s%n", results.seconds(), report.toAbsolutePath());
        pw.flush();
        return 0;
    }
}
