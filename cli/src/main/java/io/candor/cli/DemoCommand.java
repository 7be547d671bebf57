package io.candor.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code candor demo}: Candor's main job on built-in data. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs Candor's main job on built-in data.", "",
            "Trains a digit classifier on a biased dataset, shows that it learned the bias, and explains",
            "it. Not built yet: it arrives with the",
            "models and datasets work. Until then, try 'candor bench executor' or 'candor inspect'."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.println("candor demo: the demo (biased digits, a CNN that learns the bias, its explanation)");
        out.println("arrives with the models and datasets issue. What works today:");
        out.println("  ./candor inspect MODEL.onnx            every tensor of a model with its shape");
        out.println("  ./candor predict --model M --input X.npy --engine ort|djl --out Y.npy");
        out.println("  ./candor bench executor                executor and ONNX Runtime timings");
        out.flush();
        return 0;
    }
}
