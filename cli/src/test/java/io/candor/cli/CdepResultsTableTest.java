package io.candor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CdepResultsTableTest {
    private static Reproduction.Run run(double accuracy) {
        return new Reproduction.Run(accuracy, 0.25, 2.0, 500.0, List.of("train", "--out", "m.onnx"));
    }

    @Test
    void aRowHoldsTheMeanAndTheSampleStandardDeviationOverSeeds() {
        CdepBenchmarks.Method cdep = new CdepBenchmarks.Method("CDEP", "cdep", 100f, List.of());
        Map<String, Object> row = Reproduction.row("decoy-digits", cdep, List.of(run(0.90), run(0.94), run(0.98)));
        assertEquals(0.94, (Double) row.get("mean"), 1e-12);
        assertEquals(0.04, (Double) row.get("std"), 1e-12); // sqrt(((0.04)^2 + 0 + (0.04)^2) / 2)
        assertEquals("./candor train --out m.onnx", row.get("command"));
        assertEquals(List.of("--penalty", "cdep", "--lambda", "100"), cdep.arguments());
    }

    @Test
    void theTableSaysWhetherEachTargetIsMet() {
        List<CdepBenchmarks.Benchmark> benchmarks = CdepBenchmarks.benchmarks(true);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (CdepBenchmarks.Benchmark b : benchmarks) {
            for (CdepBenchmarks.Method m : b.methods()) {
                // CDEP meets decoy-digits' target (95) and misses decoy-text's (75).
                double accuracy = !m.penalty().equals("cdep") ? 0.5 : b.name().equals("decoy-digits") ? 0.96 : 0.6;
                rows.add(Reproduction.row(b.name(), m, List.of(run(accuracy))));
            }
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("quick", true);
        results.put("seeds", 1);
        results.put("minutes", 3.5);
        results.put("rows", rows);
        results.put("finetuning", List.of());
        String md = CdepResultsTable.markdown(results, benchmarks);
        assertTrue(md.contains("Target: CDEP >= 95%. Measured 96.0%: met."), md);
        assertTrue(md.contains("Target: CDEP >= 75%. Measured 60.0%: **not met**."), md);
        assertTrue(md.contains("| CDEP | 100 | 96.00 | 25.0 | 2.0 | 500 | `./candor train --out m.onnx` |"), md);
    }

    @Test
    void peakMemoryIsReadOnLinux() {
        if (PeakMemory.reset()) {
            Double peak = PeakMemory.mebibytes();
            assertTrue(peak != null && peak > 10, "a JVM holds more than 10 MiB: " + peak);
        }
    }
}
