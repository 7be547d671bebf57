package io.candor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which digits the demo's report shows side by side. */
class DemoReportTest {
    @Test
    void digitsTheRepairFixedComeFirstThenTheOthersInOrder() {
        long[] labels = {1, 2, 3, 4, 5, 6};
        int[] before = {1, 9, 3, 9, 9, 6};
        int[] after = {1, 2, 3, 9, 5, 6};
        // Digits 1 and 4 went from wrong to right; 3 stayed wrong; 0, 2 and 5 were right throughout.
        assertEquals(List.of(1, 4, 0, 2), DemoReport.shown(before, after, labels));
        assertEquals(List.of(0, 1), DemoReport.shown(new int[] {1, 2}, new int[] {1, 2}, new long[] {1, 2}));
    }
}
