package io.candor.cli;

import java.util.Collection;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Up-front checks of option values and of options that do not apply, as usage errors (exit code 2):
 * a bad value must stop a command before it works, never train a broken model or be silently ignored.
 */
final class OptionChecks {
    private final CommandSpec spec;

    private OptionChecks(CommandSpec spec) {
        this.spec = spec;
    }

    static OptionChecks of(CommandSpec spec) {
        return new OptionChecks(spec);
    }

    OptionChecks positive(String option, double value) {
        return require(Double.isFinite(value) && value > 0, option + " must be a positive number, got " + format(value));
    }

    OptionChecks nonNegative(String option, double value) {
        return require(Double.isFinite(value) && value >= 0, option + " must be zero or more, got " + format(value));
    }

    OptionChecks below(String option, double value, double limit) {
        return require(value < limit, option + " must be below " + format(limit) + ", got " + format(value));
    }

    /** A value as an option would be typed: 1000, not 1000.0; 0.001 as %g gives it. */
    static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v)
                : String.format(java.util.Locale.ROOT, "%g", v);
    }

    OptionChecks oneOf(String option, String value, Collection<String> allowed) {
        return require(allowed.contains(value), option + " must be one of " + String.join(", ", allowed) + ", got '" + value + "'");
    }

    /** Fails when {@code option} was given although it does not apply, saying to what it does apply. */
    OptionChecks onlyWhen(String option, boolean applies, String appliesTo) {
        return require(!given(option) || applies, option + " applies only to " + appliesTo);
    }

    /** A subcommand's parent's options have no meaning for it (interpret explain, say); saying so beats ignoring them. */
    OptionChecks noParentOptions() {
        CommandSpec parent = spec.parent();
        if (parent == null || parent.commandLine().getParseResult() == null) {
            return this;
        }
        java.util.List<String> given = parent.commandLine().getParseResult().matchedOptions().stream()
                .map(CommandLine.Model.OptionSpec::longestName).distinct().toList();
        return require(given.isEmpty(), "the options " + given + " of '" + parent.name() + "' do not apply to '"
                + parent.name() + " " + spec.name() + "'");
    }

    boolean given(String option) {
        return spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    OptionChecks require(boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
        return this;
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
