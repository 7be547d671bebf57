package io.candor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.interop.CandorException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/**
 * Candor's own commands run in this process, exactly as a user types them, by the commands that chain
 * others ({@code demo}, {@code reproduce}): every step they take can be rerun by hand.
 */
final class InProcessCandor {
    private InProcessCandor() {
    }

    /** The text to show for {@code args}: what a user types. */
    static String typed(List<String> args) {
        return "./candor " + String.join(" ", args);
    }

    /** Runs a command with its output on {@code out}; a non-zero exit stops the caller with a clear error. */
    static void run(List<String> args, PrintWriter out) {
        int code = Candor.run(args.toArray(String[]::new), out, out);
        out.flush();
        if (code != 0) {
            throw new CandorException("'" + typed(args) + "' failed (exit " + code + ")");
        }
    }

    /** Runs a command that prints JSON ({@code evaluate --json}, say) and returns it parsed. */
    static JsonNode json(List<String> args) {
        StringWriter text = new StringWriter();
        int code;
        try (PrintWriter pw = new PrintWriter(text)) {
            code = Candor.run(args.toArray(String[]::new), pw, pw);
        }
        if (code != 0) {
            throw new CandorException("'" + typed(args) + "' failed (exit " + code + "): " + text);
        }
        try {
            return new ObjectMapper().readTree(text.toString());
        } catch (IOException e) {
            throw new CandorException("'" + typed(args) + "' did not print JSON: " + e.getMessage(), e);
        }
    }
}
