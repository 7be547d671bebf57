package io.candor.cli;

import io.candor.interop.CandorException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code candor} command: explain and repair pretrained neural networks. */
@Command(name = "candor", mixinStandardHelpOptions = true, version = "candor 0.1.0",
        description = {"Explains and repairs pretrained neural networks given as ONNX.", ""},
        subcommands = {InspectCommand.class, PredictCommand.class, ExplainCommand.class, DataCommand.class, TrainCommand.class,
            EvaluateCommand.class, FinetuneCommand.class, CacheCommand.class, ClarcCommand.class, InterpretCommand.class, ReproduceCommand.class, BenchCommand.class, DemoCommand.class, DoctorCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 success, 1 failure (a bad model, file or value), 2 wrong usage.",
            "Run 'candor COMMAND --help' for the options of a command."})
public final class Candor implements Runnable {
    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces of failures (for bug reports).")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        Interrupts.haltOnSignals();
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code; the tests call this instead of main. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Candor());
        cl.setOut(out);
        cl.setErr(err);
        // The descriptions are written as lines of up to 120 characters; at picocli's default of 80 each
        // would break in two.
        cl.setUsageHelpWidth(120);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            boolean verbose = parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"))
                    || parsed.hasMatchedOption("--verbose");
            if (ex instanceof CandorException) {
                err.println("candor: " + ex.getMessage());
            } else {
                err.println("candor: unexpected error: " + ex + " (run with --verbose for details)");
            }
            if (verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        // A usage error is one line and a pointer to the help, not the whole usage text.
        cl.setParameterExceptionHandler((ex, arguments) -> {
            CommandLine cmd = ex.getCommandLine();
            err.println("candor: " + ex.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return 2;
        });
        return cl.execute(args);
    }
}
