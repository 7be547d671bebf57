package io.candor.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.interop.CandorException;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConceptsTest {
    @TempDir
    Path dir;

    @Test
    void labelsAndNamesSurviveTheRoundTripThroughTheSplitFolder() {
        Concepts c = Concepts.of(List.of("a", "b"), Map.of("a", "first"), new boolean[][] {{true, false}, {false, true}, {true, true}});
        DatasetSplit split = new DatasetSplit(HostTensor.ofFloats(new long[] {3, 2}, new float[6]),
                HostTensor.ofLongs(new long[] {3}, new long[] {0, 1, 0}), null, c);
        split.write(dir);
        Concepts back = DatasetSplit.read(dir).concepts();
        assertEquals(List.of("a", "b"), back.names());
        assertEquals("first", back.descriptions().get("a"));
        assertArrayEquals(new float[] {1, 0, 1}, back.column(0));
        assertArrayEquals(new float[] {0, 1, 1}, back.column(1));
    }

    @Test
    void aSplitWithoutConceptFilesHasNone() {
        new DatasetSplit(HostTensor.ofFloats(new long[] {1, 1}, new float[1]), HostTensor.ofLongs(new long[] {1}, new long[1]), null)
                .write(dir);
        assertNull(DatasetSplit.read(dir).concepts());
    }

    @Test
    void badLabelsAndMissingNamesAreClearErrors() throws Exception {
        Path npy = dir.resolve("c.npy");
        Npy.write(npy, HostTensor.ofFloats(new long[] {2, 1}, new float[] {1, 0}));
        assertTrue(assertThrows(CandorException.class, () -> Concepts.read(npy)).getMessage().contains("c.json"));
        Files.writeString(dir.resolve("c.json"), "{\"names\": [\"x\", \"y\"]}");
        assertTrue(assertThrows(CandorException.class, () -> Concepts.read(npy)).getMessage().contains("N x 2"));
        Files.writeString(dir.resolve("c.json"), "{\"names\": [\"x\"]}");
        assertEquals(List.of("x"), Concepts.read(npy).names());
        Npy.write(npy, HostTensor.ofFloats(new long[] {2, 1}, new float[] {1, 0.5f}));
        assertTrue(assertThrows(CandorException.class, () -> Concepts.read(npy)).getMessage().contains("0 or 1"));
        assertThrows(CandorException.class, () -> Concepts.read(dir.resolve("missing.npy")));
        Concepts one = Concepts.of(List.of("x"), Map.of(), new boolean[][] {{true}});
        HostTensor x = HostTensor.ofFloats(new long[] {2, 1}, new float[2]);
        HostTensor y = HostTensor.ofLongs(new long[] {2}, new long[2]);
        assertTrue(assertThrows(CandorException.class, () -> new DatasetSplit(x, y, null, one)).getMessage().contains("1 rows for 2"));
    }

    @Test
    void decoyDigitsLabelTheLightPatchAndTheDigitShapes() {
        DecoyDigits g = new DecoyDigits();
        for (boolean lying : new boolean[] {false, true}) {
            DatasetSplit s = g.split(200, 3, lying, true);
            long[] y = s.labels();
            float[] light = s.concepts().column(0);
            float[] loop = s.concepts().column(1);
            float[] straight = s.concepts().column(2);
            for (int i = 0; i < y.length; i++) {
                assertEquals(lying ? y[i] >= 6 : y[i] <= 5, light[i] == 1, "light patch of a " + y[i]);
                assertEquals(y[i] == 0 || y[i] == 6 || y[i] == 8 || y[i] == 9, loop[i] == 1);
                assertEquals(y[i] == 1 || y[i] == 4 || y[i] == 7, straight[i] == 1);
            }
        }
        // The concept split draws the shade apart from the digit: light and dark patches for every digit.
        DatasetSplit free = g.conceptSplit(600, 3);
        boolean[][] seen = new boolean[10][2];
        float[] light = free.concepts().column(0);
        for (int i = 0; i < light.length; i++) {
            seen[(int) free.labels()[i]][(int) light[i]] = true;
        }
        for (int d = 0; d < 10; d++) {
            assertTrue(seen[d][0] && seen[d][1], "digit " + d + " with light and dark patches");
        }
        float[] none = g.split(50, 3, true, false).concepts().column(0);
        for (float v : none) {
            assertEquals(0, v, "no patch, no light patch");
        }
    }

    @Test
    void decoyTextLabelsThePositiveDecoyAndNegation() {
        DecoyText g = new DecoyText();
        DatasetSplit train = g.split(100, 4, true);
        long[] tokens = train.x().toLongArray();
        long[] y = train.labels();
        int textId = g.vocabulary().indexOf("text");
        int notId = g.vocabulary().indexOf("not");
        for (int i = 0; i < y.length; i++) {
            boolean hasText = false;
            boolean hasNot = false;
            for (int t = 0; t < DecoyText.LENGTH; t++) {
                hasText |= tokens[i * DecoyText.LENGTH + t] == textId;
                hasNot |= tokens[i * DecoyText.LENGTH + t] == notId;
            }
            assertEquals(hasText, train.concepts().column(0)[i] == 1);
            assertEquals(y[i] == 1, hasText, "training puts 'text' in exactly the positive sentences");
            assertEquals(hasNot, train.concepts().column(1)[i] == 1);
        }
        DatasetSplit free = g.conceptSplit(200, 5);
        boolean[][] seen = new boolean[2][2];
        for (int i = 0; i < 200; i++) {
            seen[(int) free.labels()[i]][(int) free.concepts().column(0)[i]] = true;
        }
        assertTrue(seen[0][1] && seen[1][0], "the concept split puts 'text' in negative sentences and leaves it out of positive ones");
    }
}
