package io.candor.spark;

import io.candor.finetune.SpuriousMasks;
import io.candor.interop.CandorException;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.data.DatasetSplit;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A dataset split as Spark rows: {@code id} (the sample's place in the split), {@code label}, {@code x}
 * (the sample's tensor, little-endian bytes in C order) and, where the split marks something,
 * {@code mask} likewise. Each tensor column's element type and per-sample shape ride in its metadata,
 * so a Parquet file written from these rows can be read back as a split.
 */
final class TensorRows {
    static final String ID = "id";
    static final String LABEL = "label";
    static final String X = "x";
    static final String MASK = "mask";
    private static final String TYPE = "candor.dtype";
    private static final String SHAPE = "candor.shape";
    /** On the mask column: one mask shared by every sample, repeated in each row. */
    private static final String SHARED = "candor.shared";

    private TensorRows() {
    }

    /**
     * The tensors' layout: the sample's type and shape, and the mask's (as stored in one row) or
     * {@code null} without one.
     */
    record Layout(DataType type, long[] shape, DataType maskType, long[] maskShape, boolean maskShared)
            implements Serializable {
    }

    /** The rows of {@code split}, in order, in the session's default number of partitions. */
    static Dataset<Row> of(SparkSession spark, DatasetSplit split) {
        List<Row> rows = new ArrayList<>();
        batches(split, (int) Math.max(1, split.size())).forEach(rows::addAll);
        return spark.createDataFrame(rows, schema(layout(split)));
    }

    /** The rows of {@code split} cut into batches of {@code batchSize} in order, as the schema of its layout has them. */
    static List<List<Row>> batches(DatasetSplit split, int batchSize) {
        boolean shared = layout(split).maskShared();
        List<List<Row>> batches = new ArrayList<>();
        for (int start = 0; start < split.size(); start += batchSize) {
            int to = (int) Math.min(split.size(), start + batchSize);
            batches.add(rows(FolderSplits.slice(split, start, to), java.util.stream.LongStream.range(start, to).toArray(), shared));
        }
        return batches;
    }

    /**
     * The rows of some samples of a split, with their ids; {@code sharedMask}: the split's one mask is
     * repeated in every row (else each sample has its row of the mask).
     */
    static List<Row> rows(DatasetSplit samples, long[] ids, boolean sharedMask) {
        HostTensor mask = samples.mask();
        long[] labels = samples.labels();
        List<Row> rows = new ArrayList<>(labels.length);
        for (int i = 0; i < labels.length; i++) {
            byte[] x = bytes(samples.x().rows(i));
            rows.add(mask == null ? RowFactory.create(ids[i], labels[i], x)
                    : RowFactory.create(ids[i], labels[i], x, bytes(sharedMask ? mask : mask.rows(i))));
        }
        return rows;
    }

    /** The schema of rows of this layout. */
    static StructType schema(Layout layout) {
        List<StructField> fields = new ArrayList<>(List.of(
                DataTypes.createStructField(ID, DataTypes.LongType, false),
                DataTypes.createStructField(LABEL, DataTypes.LongType, false),
                DataTypes.createStructField(X, DataTypes.BinaryType, false, tensor(layout.type(), layout.shape(), false))));
        if (layout.maskShape() != null) {
            fields.add(DataTypes.createStructField(MASK, DataTypes.BinaryType, false,
                    tensor(layout.maskType(), layout.maskShape(), layout.maskShared())));
        }
        return DataTypes.createStructType(fields);
    }

    /** The layout a schema's metadata describes, or a clear error for columns that do not hold Candor's tensors. */
    static Layout layout(StructType schema) {
        List<String> names = Arrays.asList(schema.fieldNames());
        for (String required : List.of(ID, LABEL, X)) {
            if (!names.contains(required)) {
                throw new CandorException("the rows have no '" + required + "' column (columns: " + names + "); Candor"
                        + " reads id (long), label (long) and x (binary, with " + TYPE + " and " + SHAPE + " metadata)");
            }
        }
        StructField x = schema.apply(X);
        StructField mask = names.contains(MASK) ? schema.apply(MASK) : null;
        return new Layout(type(x), shape(x), mask == null ? null : type(mask), mask == null ? null : shape(mask),
                mask != null && mask.metadata().contains(SHARED) && mask.metadata().getBoolean(SHARED));
    }

    /** Rows with Candor's columns first, in their order (id, label, x, mask), as {@link #split} reads them. */
    static Dataset<Row> canonical(Dataset<Row> rows) {
        Layout layout = layout(rows.schema());
        return layout.maskShape() == null ? rows.select(ID, LABEL, X) : rows.select(ID, LABEL, X, MASK);
    }

    /** The samples of {@code rows} (columns id, label, x and mask, in that order) as a split, in the order given. */
    static DatasetSplit split(List<Row> rows, Layout layout) {
        int n = rows.size();
        long[] labels = new long[n];
        List<byte[]> xs = new ArrayList<>(n);
        List<byte[]> masks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            labels[i] = r.getLong(1);
            xs.add((byte[]) r.get(2));
            if (layout.maskShape() != null) {
                masks.add((byte[]) r.get(3));
            }
        }
        HostTensor x = stack(layout.type(), withRows(n, layout.shape()), xs);
        HostTensor mask = layout.maskShape() == null ? null
                : layout.maskShared() ? stack(layout.maskType(), layout.maskShape(), masks.subList(0, 1))
                : stack(layout.maskType(), withRows(n, layout.maskShape()), masks);
        return new DatasetSplit(x, HostTensor.ofLongs(new long[] {n}, labels), mask);
    }

    /** The layout of a split's rows. */
    static Layout layout(DatasetSplit split) {
        HostTensor x = split.x();
        HostTensor mask = split.mask();
        boolean shared = mask != null && !SpuriousMasks.perSample(split);
        return new Layout(x.type(), dropFirst(x.shape()), mask == null ? null : mask.type(),
                mask == null ? null : shared ? mask.shape() : dropFirst(mask.shape()), shared);
    }

    /** One tensor of {@code shape} from the rows' bytes, each checked against its share of it. */
    static HostTensor stack(DataType type, long[] shape, List<byte[]> samples) {
        int each = (int) (HostTensor.elementCount(shape) / samples.size() * type.bytes());
        ByteBuffer all = ByteBuffer.allocate(each * samples.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] s : samples) {
            if (s.length != each) {
                throw new CandorException("a row's tensor holds " + s.length + " bytes; its column's metadata ("
                        + type + ", " + Arrays.toString(shape) + " for " + samples.size() + " rows) says " + each);
            }
            all.put(s);
        }
        all.flip();
        return new HostTensor(type, shape, all);
    }

    private static long[] withRows(int n, long[] sampleShape) {
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return shape;
    }

    /** A tensor's bytes, little-endian in C order, as the rows hold them. */
    static byte[] bytes(HostTensor t) {
        ByteBuffer data = t.data().duplicate();
        byte[] out = new byte[data.remaining()];
        data.get(out);
        return out;
    }

    private static Metadata tensor(DataType type, long[] shape, boolean shared) {
        MetadataBuilder m = new MetadataBuilder().putString(TYPE, type.name()).putLongArray(SHAPE, shape);
        return (shared ? m.putBoolean(SHARED, true) : m).build();
    }

    private static DataType type(StructField f) {
        if (!f.metadata().contains(TYPE) || !f.metadata().contains(SHAPE)) {
            throw new CandorException("the column '" + f.name() + "' has no " + TYPE + " and " + SHAPE + " metadata: Candor"
                    + " cannot tell its tensors' type and shape");
        }
        try {
            return DataType.valueOf(f.metadata().getString(TYPE));
        } catch (IllegalArgumentException e) {
            throw new CandorException("the column '" + f.name() + "' holds " + f.metadata().getString(TYPE)
                    + ", which Candor does not read (" + Arrays.toString(DataType.values()) + ")", e);
        }
    }

    private static long[] shape(StructField f) {
        return f.metadata().getLongArray(SHAPE);
    }

    private static long[] dropFirst(long[] shape) {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }
}
