package io.candor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClarcResultsTableTest {
    private static final ClarcBenchmarks.Benchmark LESIONS = ClarcBenchmarks.benchmarks(true).get(0);

    /** accuracy without patches, malignant recall there and on test_attacked, CD share. */
    private static ClarcReproduction.Measured measured(double clean, double cleanRecall, double attackedRecall, double share) {
        return new ClarcReproduction.Measured(clean, cleanRecall, 0.7, attackedRecall, share, Map.of("test", 0.8),
                12.0);
    }

    private static final List<ClarcReproduction.Measured> BIASED = List.of(measured(0.87, 0.88, 0.28, 0.55),
            measured(0.85, 0.84, 0.44, 0.50));

    private static Map<String, Object> row(String method, String layer, List<ClarcReproduction.Measured> after) {
        return ClarcReproduction.row(LESIONS, method, layer, 100f, List.of("finetune", "--out", "m.onnx"), after, BIASED);
    }

    @Test
    void recoveredIsTheShareOfTheLostRecallWonBackAgainstEachSeedsOwnBiasedModel() {
        // Seed 0 lost 60 points and wins back 45; seed 1 lost 40 and wins back 10.
        Map<String, Object> row = row("RR-ClArC", "gpool", List.of(measured(0.86, 0.9, 0.73, 0.3), measured(0.84, 0.8, 0.54, 0.2)));
        assertEquals((0.75 + 0.25) / 2, (Double) row.get("recovered"), 1e-12);
        assertEquals(-0.01, (Double) row.get("cleanChange"), 1e-12);
        assertEquals(0.25, (Double) row.get("cdShare"), 1e-12);
        assertEquals(0.8, ((Map<?, ?>) row.get("others")).get("test"));
        assertEquals("./candor finetune --out m.onnx", row.get("command"));
    }

    @Test
    void theVerdictNamesTheRepairsThatRecoverHalfAtACostOfAtMostTwoPoints() {
        List<Map<String, Object>> table = List.of(
                ClarcReproduction.row(LESIONS, "biased", null, null, List.of("train", "--out", "b.onnx"), BIASED, BIASED),
                row("RR-ClArC", "gpool", List.of(measured(0.86, 0.9, 0.73, 0.3), measured(0.84, 0.8, 0.54, 0.2))),
                row("P-ClArC", "gpool", List.of(measured(0.82, 0.9, 0.85, 0.3), measured(0.80, 0.8, 0.80, 0.2))),
                row("CDEP (masks)", "gpool", List.of(measured(0.87, 0.9, 0.30, 0.3), measured(0.85, 0.8, 0.45, 0.2))));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("quick", true);
        results.put("seeds", 2);
        results.put("minutes", 9.5);
        results.put("benchmarks", Map.of(LESIONS.name(), table));
        String md = ClarcResultsTable.markdown(results, List.of(LESIONS));
        assertTrue(md.contains("| biased | - | - | 86.0% | 80.0% | 36.0% | - | 52.5% | 12 | `./candor train --out b.onnx` |"), md);
        assertTrue(md.contains("| RR-ClArC | `gpool` | 100 | 85.0% (-1.0) | 80.0% | 63.5% | 50% | 25.0% |"), md);
        // P-ClArC recovers nearly all but costs 5 points; CDEP recovers 4%.
        assertTrue(md.contains("with clean accuracy down at most 2 points: RR-ClArC at `gpool`.\n"), md);
    }
}
