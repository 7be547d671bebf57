package io.candor.interpreter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class DictionaryTest {
    @Test
    void maxSamplesAreEachAttributesLargestRowsLargestFirst() {
        float[][] phi = {{0.1f, 5}, {0.9f, 1}, {0.5f, 3}, {0.7f, 4}, {0, 2}};
        int[][] best = Dictionary.maxSamples(phi);
        assertArrayEquals(new int[] {1, 3, 2}, best[0]);
        assertArrayEquals(new int[] {0, 3, 2}, best[1]);
    }
}
