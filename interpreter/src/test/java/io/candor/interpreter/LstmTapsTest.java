package io.candor.interpreter;

import static io.candor.interop.testing.Arrays2.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.ort.OrtModel;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.arch.LstmText;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An LSTM's Y and Y_h as taps: the added nodes give the last step, batch first, and change nothing else. */
class LstmTapsTest {
    @Test
    void theLastStepOfYAndTheFinalStateAreTheModelsOwnLastHiddenState() {
        OnnxModel model = OnnxReader.fromProto(LstmText.build(20, 8, 6, 1, 2, 5, 1), null);
        LstmTaps.Adapted adapted = LstmTaps.adapt(model, List.of("lstm1.Y", "lstm1.Y_h", "last"));
        assertEquals(List.of("lstm1.Y/last_step", "lstm1.Y_h/last_step", "last"), adapted.taps());
        assertEquals(model.graph().outputs(), adapted.model().graph().outputs(), "the model's outputs are unchanged");
        HostTensor tokens = HostTensor.ofLongs(new long[] {3, 5}, 0, 0, 3, 4, 5, 1, 2, 3, 4, 5, 0, 7, 9, 11, 13);
        try (OrtModel ort = OrtModel.open(adapted.model(), adapted.taps())) {
            Map<String, HostTensor> out = ort.run(Map.of(model.graph().inputs().get(0).name(), tokens), adapted.taps());
            float[] last = out.get("last").toFloatArray();
            assertArrayEquals(new long[] {3, 6}, out.get("lstm1.Y/last_step").shape());
            // One direction: Y's last step is Y_h, which the model squeezes into "last".
            assertClose(last, out.get("lstm1.Y/last_step").toFloatArray(), 1e-6, "Y at the last step");
            assertClose(last, out.get("lstm1.Y_h/last_step").toFloatArray(), 1e-6, "Y_h batch first");
        }
        assertSame(model, LstmTaps.adapt(model, List.of("last")).model(), "other taps need nothing");
    }
}
