package io.candor.attribution.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LineChartTicksTest {
    @Test
    void stepsAreOneTwoOrFiveTimesAPowerOfTenAndBoundTheData() {
        double[][] ranges = {{0, 1}, {0.013, 0.087}, {-3.2, 47}, {1e-6, 3e-6}, {1234, 98765}, {-0.5, -0.1}, {0.37, 2.3}};
        for (double[] r : ranges) {
            Ticks ticks = Ticks.of(r[0], r[1], 5, false);
            double mantissa = ticks.step() / Math.pow(10, Math.floor(Math.log10(ticks.step())));
            assertTrue(List.of(1.0, 2.0, 5.0).stream().anyMatch(m -> Math.abs(m - mantissa) < 1e-9), "step " + ticks.step());
            assertTrue(ticks.first() <= r[0] && ticks.last() >= r[1], ticks + " bounds " + r[0] + ".." + r[1]);
            assertTrue(ticks.values().size() >= 3 && ticks.values().size() <= 11, ticks.toString());
            for (double v : ticks.values()) {
                assertFalse(ticks.label(v).startsWith("-0") && Math.abs(v) < ticks.step() / 2, ticks.label(v));
            }
        }
    }

    @Test
    void labelsHaveJustEnoughDecimals() {
        Ticks unit = Ticks.of(0, 1, 5, false);
        assertEquals(List.of("0.0", "0.2", "0.4", "0.6", "0.8", "1.0"), unit.values().stream().map(unit::label).toList());
        Ticks big = Ticks.of(0, 400, 5, false);
        assertEquals("100", big.label(100));
        Ticks small = Ticks.of(0.013, 0.087, 5, false);
        assertEquals("0.02", small.label(small.values().get(1)));
        Ticks negative = Ticks.of(-1, 1, 5, false);
        assertTrue(negative.values().stream().map(negative::label).toList().contains("0.0"), "no -0.0");
    }

    @Test
    void integerAxesStepByWholeNumbers() {
        assertEquals(List.of(1.0, 2.0, 3.0), Ticks.of(1, 3, 6, true).values());
        assertEquals(1.0, Ticks.of(1, 2, 6, true).step());
        Ticks epochs = Ticks.of(1, 40, 6, true);
        assertEquals(10.0, epochs.step());
        assertEquals("40", epochs.label(epochs.last()));
    }

    @Test
    void aFlatRangeIsOpenedAroundItsValue() {
        Ticks flat = Ticks.of(3, 3, 5, false);
        assertTrue(flat.first() < 3 && flat.last() > 3);
        Ticks zero = Ticks.of(0, 0, 5, false);
        assertTrue(zero.first() < 0 && zero.last() > 0);
    }
}
