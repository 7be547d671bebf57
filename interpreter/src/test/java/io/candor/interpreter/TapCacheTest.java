package io.candor.interpreter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.data.Concepts;
import io.candor.models.data.DatasetSplit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tap cache on a two-layer graph whose hidden values are known: h = relu(x), n = -x, y = h + n + 1. */
class TapCacheTest {
    private static Executor model() {
        GraphBuilder g = new GraphBuilder("tiny", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2);
        String h = g.node("Relu", "h", new String[] {x});
        String n = g.node("Mul", "n", new String[] {x, g.initializer("minus", HostTensor.ofFloats(new long[] {1}, -1))});
        String one = g.initializer("one", HostTensor.ofFloats(new long[] {1}, 1));
        String y = g.node("Add", "y", new String[] {g.node("Add", "hn", new String[] {h, n}), one});
        g.output(y, DataType.FLOAT32, -1, 2);
        return Executor.of(g.buildModel());
    }

    private static DatasetSplit split(long[] y, float... x) {
        return new DatasetSplit(HostTensor.ofFloats(new long[] {y.length, 2}, x), HostTensor.ofLongs(new long[] {y.length}, y), null);
    }

    @Test
    void cachesEveryTapInOrderWithTheLogits() {
        try (Executor model = model()) {
            TapCache c = TapCache.compute(model, split(new long[] {0, 1, 1}, -1, 2, 3, -4, 5, 6), List.of("n", "h"), 2);
            assertEquals(List.of("n", "h"), List.copyOf(c.taps().keySet()));
            assertArrayEquals(new float[] {0, 2, 3, 0, 5, 6}, c.taps().get("h").toFloatArray());
            assertArrayEquals(new float[] {1, -2, -3, 4, -5, -6}, c.taps().get("n").toFloatArray());
            assertArrayEquals(new float[] {2, 1, 1, 5, 1, 1}, c.logits().toFloatArray());
            assertThrows(CandorException.class, () -> TapCache.compute(model, split(new long[] {0}, 1, 1), List.of("h", "h"), 2));
        }
    }

    @Test
    void joiningKeepsConceptLabelsOnTheRowsThatHaveThem() {
        try (Executor model = model()) {
            TapCache train = TapCache.compute(model, split(new long[] {0, 1}, 1, 2, 3, 4), List.of("h"), 8);
            Concepts labels = Concepts.of(List.of("a"), Map.of(), new boolean[][] {{true}, {false}, {true}});
            TapCache concepts = TapCache.compute(model, split(new long[] {1, 0, 1}, 5, 6, 7, 8, 9, 10), List.of("h"), 8)
                    .withConcepts(labels);
            TapCache both = train.join(concepts);
            assertEquals(5, both.size());
            assertArrayEquals(new long[] {0, 1, 1, 0, 1}, both.labels());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, both.taps().get("h").toFloatArray());
            assertArrayEquals(new long[] {5, 2}, both.inputs().shape());
            assertArrayEquals(new float[] {0, 0, 1, 0, 1}, both.concepts().column(0));
            boolean[] labelled = {false, false, true, true, true};
            for (int i = 0; i < 5; i++) {
                assertEquals(labelled[i], both.isLabelled(i), "row " + i);
            }
            TapCache tail = both.rows(3, 5);
            assertArrayEquals(new float[] {7, 8, 9, 10}, tail.taps().get("h").toFloatArray());
            assertArrayEquals(new long[] {0, 1}, tail.labels());
            assertArrayEquals(new float[] {0, 1}, tail.concepts().column(0));
            assertTrue(tail.isLabelled(0) && tail.isLabelled(1));
            assertTrue(concepts.isLabelled(0));
            assertFalse(train.isLabelled(0));
            assertThrows(IllegalArgumentException.class,
                    () -> train.join(TapCache.compute(model, split(new long[] {0}, 1, 1), List.of("n"), 8)));
        }
    }
}
