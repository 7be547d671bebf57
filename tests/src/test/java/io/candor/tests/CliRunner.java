package io.candor.tests;

import io.candor.cli.Candor;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the candor command in-process and keeps its exit code and both output streams. */
final class CliRunner {
    private CliRunner() {
    }

    record Run(int code, String out, String err) {
    }

    static Run candor(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Candor.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }
}
