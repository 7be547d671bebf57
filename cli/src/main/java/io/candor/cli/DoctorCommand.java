package io.candor.cli;

import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.numerics.CheckResult;
import io.candor.interop.numerics.ConvolutionCheck;
import io.candor.interop.numerics.KernelChecks;
import io.candor.interop.numerics.MachineInfo;
import io.candor.interop.numerics.SelfCheck;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code candor doctor}: does this machine compute Candor's numbers right? */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Says whether this machine computes Candor's numbers correctly.",
            "Prints the CPU, the instruction set oneDNN uses on it and the libtorch and ONNX Runtime versions,",
            "then checks Candor's convolution (forward, input and weight gradients at awkward channel counts),",
            "matrix product, pooling and LSTM against plain Java loops at 1 and 2 threads (and the process's own",
            "thread count). It also shows how libtorch's",
            "own convolution fares, which some CPUs compute wrong (Candor works around that).",
            "Exit code 0 when every check of Candor's kernels passes, 1 otherwise."})
final class DoctorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        MachineInfo info = MachineInfo.read();
        out.println("This machine");
        out.printf("  %-14s %s%n", "CPU", info.cpu());
        out.printf("  %-14s %s%n", "oneDNN ISA", info.oneDnnIsa());
        out.printf("  %-14s %s; %d intra-op threads%n", "libtorch", info.libtorch(), info.threads());
        out.printf("  %-14s %s%n", "ONNX Runtime", info.onnxRuntime());
        out.printf("  %-14s %s%n", "Java", info.java());
        out.printf("  %-14s %s%n", "native memory", io.candor.interop.exec.NativeMemory.describe());
        out.println();

        // Timed as a command pays for it: a process's first convolution starts libtorch's kernels up
        // anyway, then runs this check once; the warm-up takes the start-up out of the figure.
        ConvolutionCheck.run(ConvolutionCheck.LIBTORCH, List.of(ConvolutionCheck.WARM_UP));
        long start = System.nanoTime();
        String selfCheck = "passed";
        try {
            SelfCheck.ensureConvolutionsCorrect();
        } catch (CandorException e) {
            selfCheck = "failed";
        }
        double selfCheckMs = (System.nanoTime() - start) / 1e6;

        // 1 and 2 threads, and the count this process runs at (kernels split work differently with each).
        int[] threads = java.util.stream.IntStream.of(1, 2, Engines.threads()).distinct().sorted().toArray();
        out.printf("Candor's kernels against plain Java loops (worst relative error; limit %.0e)%n", ConvolutionCheck.TOLERANCE);
        int candorFailures = table(out, KernelChecks::candorKernels, threads);
        out.println();
        out.println("libtorch's own convolution, for comparison (Candor pads channels around it)");
        int libtorchFailures = table(out, KernelChecks::libtorchConvolution, threads);
        out.println();
        out.printf("The once-per-process self-check before the first convolution %s; it adds %.0f ms to libtorch's%n"
                + "start-up.%n", selfCheck, selfCheckMs);
        if (candorFailures == 0 && selfCheck.equals("passed")) {
            out.println("Verdict: this machine computes Candor's kernels correctly.");
            if (libtorchFailures > 0) {
                out.println("libtorch's own convolution is wrong on this CPU (" + libtorchFailures
                        + " checks failed above); Candor never uses it as it is.");
            }
            return 0;
        }
        out.println("Verdict: this machine computes " + (candorFailures > 0 ? candorFailures + " of Candor's checks"
                : "the self-check") + " WRONG. Results of Candor here would be wrong; commands that run a convolution"
                + " will stop.");
        out.println("Try ONEDNN_MAX_CPU_ISA=SSE41 in the environment (slower) and run 'candor doctor' again,"
                + " and please report this output.");
        return 1;
    }

    /** Prints one row per checked kernel and problem, one column per thread count; returns the failures. */
    private static int table(PrintWriter out, Supplier<List<CheckResult>> checks, int[] threads) {
        List<List<CheckResult>> byThreads = new ArrayList<>();
        for (int t : threads) {
            byThreads.add(Engines.withThreads(t, checks));
        }
        StringBuilder header = new StringBuilder(String.format("  %-48s", ""));
        for (int t : threads) {
            header.append(String.format(" %-32s", t + (t == 1 ? " thread" : " threads")));
        }
        out.println(header.toString().stripTrailing());
        int failures = 0;
        for (Map.Entry<String, List<List<CheckResult>>> row : rows(byThreads).entrySet()) {
            StringBuilder line = new StringBuilder(String.format("  %-48s", row.getKey()));
            for (List<CheckResult> cell : row.getValue()) {
                CheckResult worst = cell.stream().filter(r -> !r.passed()).findFirst()
                        .orElse(cell.stream().max((a, b) -> Double.compare(a.error(), b.error())).orElseThrow());
                failures += (int) cell.stream().filter(r -> !r.passed()).count();
                String verdict = worst.passed() ? "ok" : "WRONG " + aspect(worst);
                line.append(String.format(" %-32s", String.format("%.1e %s", worst.error(), verdict)));
            }
            out.println(line.toString().stripTrailing());
        }
        return failures;
    }

    /** Groups "problem: aspect" results by problem, keeping one list per thread count. */
    private static Map<String, List<List<CheckResult>>> rows(List<List<CheckResult>> byThreads) {
        Map<String, List<List<CheckResult>>> rows = new LinkedHashMap<>();
        for (int t = 0; t < byThreads.size(); t++) {
            for (CheckResult r : byThreads.get(t)) {
                List<List<CheckResult>> cells = rows.computeIfAbsent(problem(r), k -> new ArrayList<>());
                while (cells.size() <= t) {
                    cells.add(new ArrayList<>());
                }
                cells.get(t).add(r);
            }
        }
        return rows;
    }

    private static String problem(CheckResult r) {
        int colon = r.what().lastIndexOf(": ");
        return colon < 0 ? r.what() : r.what().substring(0, colon);
    }

    private static String aspect(CheckResult r) {
        int colon = r.what().lastIndexOf(": ");
        return colon < 0 ? "" : "(" + r.what().substring(colon + 2) + ")";
    }
}
