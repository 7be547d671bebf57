package io.candor.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.interop.CandorException;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.data.DatasetSplit;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** Splits to rows and back, without a cluster: the batches, the shapes, shared and per-sample masks, token ids. */
class TensorRowsTest {
    private static final HostTensor X = HostTensor.ofFloats(new long[] {5, 1, 2, 2}, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
            13, 14, 15, 16, 17, 18, 19);
    private static final HostTensor Y = HostTensor.ofLongs(new long[] {5}, 0, 1, 0, 1, 1);

    @Test
    void batchesCutInOrderAndReadBackAsTheSameSamples() {
        HostTensor corners = HostTensor.ofFloats(new long[] {1, 2, 2}, 1, 0, 0, 1);
        DatasetSplit split = new DatasetSplit(X, Y, corners);
        List<List<Row>> batches = TensorRows.batches(split, 2);
        assertEquals(List.of(2, 2, 1), batches.stream().map(List::size).toList());
        assertEquals(4L, batches.get(2).get(0).getLong(0), "ids are the samples' places");
        TensorRows.Layout layout = TensorRows.layout(split);
        assertTrue(layout.maskShared(), "one mask for every sample");

        DatasetSplit second = TensorRows.split(batches.get(1), layout);
        assertArrayEquals(new long[] {2, 1, 2, 2}, second.x().shape());
        assertArrayEquals(X.rows(2, 3).toFloatArray(), second.x().toFloatArray());
        assertArrayEquals(new long[] {0, 1}, second.labels());
        assertArrayEquals(new long[] {1, 2, 2}, second.mask().shape(), "the shared mask keeps its shape");
        assertArrayEquals(corners.toFloatArray(), second.mask().toFloatArray());
    }

    @Test
    void perSampleMasksAndTokenIdsTravelRowByRow() {
        HostTensor tokens = HostTensor.ofLongs(new long[] {3, 4}, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        HostTensor marks = HostTensor.ofFloats(new long[] {3, 4}, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0);
        DatasetSplit split = new DatasetSplit(tokens, HostTensor.ofLongs(new long[] {3}, 1, 0, 1), marks);
        TensorRows.Layout layout = TensorRows.layout(split);
        assertTrue(!layout.maskShared());
        // Through the schema's JSON, as Parquet stores it.
        String json = TensorRows.schema(layout).json();
        TensorRows.Layout read = TensorRows.layout((org.apache.spark.sql.types.StructType)
                org.apache.spark.sql.types.DataType.fromJson(json));
        assertEquals(io.candor.interop.tensor.DataType.INT64, read.type());
        assertArrayEquals(new long[] {4}, read.shape());
        assertEquals(io.candor.interop.tensor.DataType.FLOAT32, read.maskType());
        assertArrayEquals(new long[] {4}, read.maskShape());
        DatasetSplit back = TensorRows.split(TensorRows.batches(split, 8).get(0), layout);
        assertArrayEquals(tokens.toLongArray(), back.x().toLongArray());
        assertArrayEquals(marks.toFloatArray(), back.mask().toFloatArray());
        assertArrayEquals(new long[] {3, 4}, back.mask().shape());

        DatasetSplit unmarked = new DatasetSplit(tokens, HostTensor.ofLongs(new long[] {3}, 1, 0, 1), null);
        assertNull(TensorRows.split(TensorRows.batches(unmarked, 8).get(0), TensorRows.layout(unmarked)).mask());
    }

    @Test
    void aRowWhoseBytesDisagreeWithTheMetadataIsAClearError() {
        TensorRows.Layout layout = TensorRows.layout(new DatasetSplit(X, Y, null));
        Row truncated = RowFactory.create(0L, 1L, new byte[7]);
        CandorException e = assertThrows(CandorException.class, () -> TensorRows.split(List.of(truncated), layout));
        assertTrue(e.getMessage().contains("holds 7 bytes"), e.getMessage());
    }
}
