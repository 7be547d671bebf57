package io.candor.interpreter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.candor.interop.CandorException;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.arch.LstmText;
import io.candor.models.arch.MnistCnn;
import org.junit.jupiter.api.Test;

class MeanEmbeddingTest {
    @Test
    void theMeanOfEachSentencesRowsOfTheTable() {
        HostTensor table = HostTensor.ofFloats(new long[] {3, 2}, 0, 0, 1, 2, 4, 8);
        HostTensor ids = HostTensor.ofLongs(new long[] {2, 2}, 1, 2, 0, 1);
        // (1,2)+(4,8) over 2 = (2.5, 5); (0,0)+(1,2) over 2 = (0.5, 1).
        assertArrayEquals(new float[] {2.5f, 5, 0.5f, 1}, MeanEmbedding.of(ids, table).toFloatArray(), 1e-6f);
        assertThrows(CandorException.class, () -> MeanEmbedding.of(HostTensor.ofLongs(new long[] {1, 1}, 3), table));
    }

    @Test
    void theTableIsTheInitializerTheInputIdsGatherFrom() {
        var lstm = OnnxReader.fromProto(LstmText.build(20, 8, 6, 1, 2, 5, 1), null);
        HostTensor table = MeanEmbedding.table(lstm.graph(), lstm.graph().inputs().get(0).name());
        assertArrayEquals(new long[] {20, 8}, table.shape());
        var cnn = OnnxReader.fromProto(MnistCnn.build(0), null);
        assertNull(MeanEmbedding.table(cnn.graph(), "input"), "an image model has none");
    }
}
