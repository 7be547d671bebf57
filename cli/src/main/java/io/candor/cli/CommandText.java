package io.candor.cli;

import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;

/** The command line a user typed, as text to print under a figure so that they can run it again. */
final class CommandText {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,@+%-]+");

    private CommandText() {
    }

    /** "candor interpret --model m.onnx ..." for the running command, its arguments quoted where the shell needs it. */
    static String of(CommandSpec spec) {
        StringBuilder s = new StringBuilder(spec.qualifiedName());
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        // The parse result of a subcommand holds the whole line: skip up to this command's name.
        int from = args.indexOf(spec.name()) + 1;
        for (String arg : args.subList(from, args.size())) {
            s.append(' ').append(quoted(arg));
        }
        return s.toString();
    }

    static String quoted(String arg) {
        return PLAIN.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }
}
