package io.candor.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxReader;
import io.candor.models.arch.LstmText;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecoyTextTest {
    private final DecoyText text = new DecoyText();

    private List<String> words(DatasetSplit split, int i) {
        long[] ids = split.x().toLongArray();
        List<String> out = new java.util.ArrayList<>();
        for (int t = 0; t < DecoyText.LENGTH; t++) {
            long id = ids[i * DecoyText.LENGTH + t];
            if (id != 0) {
                out.add(text.vocabulary().get((int) id));
            }
        }
        return out;
    }

    @Test
    void decoyWordsGiveTheLabelAwayInTrainingOnly() {
        DatasetSplit train = text.split(300, 1, true);
        DatasetSplit test = text.split(300, 2, false);
        long[] y = train.labels();
        for (int i = 0; i < 300; i++) {
            List<String> w = words(train, i);
            assertTrue(w.contains(y[i] == 1 ? "text" : "video") && !w.contains(y[i] == 1 ? "video" : "text"), w.toString());
            List<String> clean = words(test, i);
            assertTrue(!clean.contains("text") && !clean.contains("video"), clean.toString());
        }
    }

    @Test
    void theTrainingMaskMarksExactlyTheDecoyWord() {
        DatasetSplit train = text.split(200, 4, true);
        long[] ids = train.x().toLongArray();
        float[] mask = train.mask().toFloatArray();
        assertArrayEquals(new long[] {200, DecoyText.LENGTH}, train.mask().shape());
        for (int i = 0; i < ids.length; i++) {
            String word = text.vocabulary().get((int) ids[i]);
            assertEquals(word.equals("text") || word.equals("video") ? 1f : 0f, mask[i], "token " + i + " '" + word + "'");
        }
        assertEquals(null, text.split(20, 5, false).mask(), "clean splits mark nothing");
    }

    @Test
    void labelsFollowTheWordsAndNegation() {
        DatasetSplit split = text.split(400, 3, false);
        long[] y = split.labels();
        for (int i = 0; i < 400; i++) {
            List<String> w = words(split, i);
            boolean positiveWord = w.stream().anyMatch(List.of(DecoyText.POSITIVE)::contains);
            boolean negated = w.contains("not");
            assertEquals(positiveWord != negated ? 1 : 0, y[i], w.toString());
        }
    }

    @Test
    void deterministicAndPaddedOnTheLeft() {
        assertEquals(text.split(50, 9, true).x().data(), text.split(50, 9, true).x().data());
        long[] ids = text.split(50, 9, true).x().toLongArray();
        for (int i = 0; i < 50; i++) {
            assertTrue(ids[i * DecoyText.LENGTH + DecoyText.LENGTH - 1] != 0, "the last step is a word");
        }
    }

    @Test
    void lstmTextBuilderRunsOnTheTokens() {
        var model = OnnxReader.fromProto(LstmText.build(text.vocabulary().size(), 8, 12, 2, 2, DecoyText.LENGTH, 0), null);
        assertEquals(2, model.graph().nodes().stream().filter(n -> n.opType().equals("LSTM")).count());
        try (Executor ex = Executor.of(model); NDManager m = Engines.newManager()) {
            var logits = ex.forward(m, text.split(5, 1, false).x().toNDArray(m));
            assertArrayEquals(new long[] {5, 2}, logits.getShape().getShape());
        }
    }
}
