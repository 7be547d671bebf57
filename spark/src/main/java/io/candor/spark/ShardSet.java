package io.candor.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * A cache written as Parquet shards: a folder per split, each holding the part files of one Spark write
 * (a partition each, in sample order), and {@code about.json} beside them, written last, saying what
 * the shards hold. Reading needs no Spark session: a single machine reads the parts one at a time with
 * Parquet's own reader.
 */
final class ShardSet {
    static final String ABOUT = "about.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final JsonNode about;

    private ShardSet(Path dir, JsonNode about) {
        this.dir = dir;
        this.about = about;
    }

    /** Refuses a folder that holds something already: a cache is written whole or not at all. */
    static void requireFree(Path out) {
        try {
            if (Files.exists(out) && (!Files.isDirectory(out) || hasEntries(out))) {
                throw new CandorException(out + " exists already; choose another --out or remove it");
            }
        } catch (IOException e) {
            throw new CandorException("cannot read " + out + ": " + e.getMessage(), e);
        }
    }

    private static boolean hasEntries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }

    /** Writes one split's rows as shards under {@code out/split}; returns the rows written. */
    static long writeSplit(SparkSession spark, JavaRDD<Row> rows, StructType schema, Path out, String split) {
        spark.createDataFrame(rows, schema).write().parquet(SparkCandor.uri(out.resolve(split)));
        return spark.read().parquet(SparkCandor.uri(out.resolve(split))).count();
    }

    /** Writes {@code about.json}, which marks the set complete. */
    static void finish(Path out, Map<String, Object> about) {
        try {
            AtomicFiles.writeString(out.resolve(ABOUT), JSON.writeValueAsString(about));
        } catch (IOException e) {
            throw new CandorException("cannot write " + out.resolve(ABOUT) + ": " + e.getMessage(), e);
        }
    }

    /** The set at {@code dir}, checked to be complete and of the {@code kind} expected. */
    static ShardSet open(Path dir, String kind) {
        Path about = dir.resolve(ABOUT);
        if (!Files.isRegularFile(about)) {
            throw new CandorException(dir + " is not a complete shard set (no " + ABOUT + "; write one with candor cache "
                    + kind + ", and let it finish)");
        }
        try {
            JsonNode node = JSON.readTree(about.toFile());
            if (!kind.equals(node.path("kind").asText())) {
                throw new CandorException(dir + " holds " + node.path("kind").asText("something else") + " shards, not " + kind);
            }
            return new ShardSet(dir, node);
        } catch (IOException e) {
            throw new CandorException("cannot read " + about + ": " + e.getMessage(), e);
        }
    }

    JsonNode about() {
        return about;
    }

    Path dir() {
        return dir;
    }

    /** The part files of a split, in sample order. */
    List<Path> parts(String split) {
        Path folder = dir.resolve(split);
        if (!Files.isDirectory(folder)) {
            throw new CandorException(dir + " has no shards of the split '" + split + "' (it has "
                    + about.path("splits").toString() + ")");
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().startsWith("part-") && p.toString().endsWith(".parquet"))
                    .sorted(Comparator.comparingLong(ShardSet::partition).thenComparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new CandorException("cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The partition number Spark puts in a part file's name (part-NNNNN-...); names sort wrongly past 99999. */
    private static long partition(Path part) {
        String name = part.getFileName().toString();
        int end = name.indexOf('-', "part-".length());
        try {
            return Long.parseLong(name.substring("part-".length(), end < 0 ? name.length() : end));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Rows of a part file, from its footer. */
    static long rows(Path part) {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(hadoop(part), new Configuration()))) {
            return reader.getRecordCount();
        } catch (IOException e) {
            throw new CandorException("cannot read the shard " + part + ": " + e.getMessage(), e);
        }
    }

    /** A part file's rows: id and label, the named boolean columns, and the named tensor columns' bytes. */
    record Part(long[] ids, long[] labels, Map<String, boolean[]> flags, Map<String, List<byte[]>> tensors) {
        /** A tensor column stacked as one tensor: {@code type}, and each row's {@code sampleShape}. */
        HostTensor tensor(String column, DataType type, long[] sampleShape) {
            return stack(tensors.get(column), type, sampleShape);
        }
    }

    /** Rows' bytes stacked as one tensor of {@code type}, each row of {@code sampleShape}. */
    static HostTensor stack(List<byte[]> rows, DataType type, long[] sampleShape) {
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = rows.size();
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return TensorRows.stack(type, shape, rows);
    }

    /**
     * Reads a part file, checking that its ids run on from {@code firstId} (a part out of order, or one
     * missing, would give samples the wrong labels).
     */
    static Part read(Path part, long firstId, List<String> flagColumns, List<String> tensorColumns) {
        List<Long> ids = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        Map<String, List<Boolean>> flags = new LinkedHashMap<>();
        Map<String, List<byte[]>> tensors = new LinkedHashMap<>();
        flagColumns.forEach(c -> flags.put(c, new ArrayList<>()));
        tensorColumns.forEach(c -> tensors.put(c, new ArrayList<>()));
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), hadoop(part))
                .withConf(new Configuration()).build()) {
            for (Group next = reader.read(); next != null; next = reader.read()) {
                Group g = next;
                long id = g.getLong(TensorRows.ID, 0);
                if (id != firstId + ids.size()) {
                    throw new CandorException("the shard " + part + " holds sample " + id + " where sample "
                            + (firstId + ids.size()) + " belongs: its parts are out of order or one is missing");
                }
                ids.add(id);
                labels.add(g.getLong(TensorRows.LABEL, 0));
                flags.forEach((c, list) -> list.add(g.getBoolean(c, 0)));
                tensors.forEach((c, list) -> list.add(g.getBinary(c, 0).getBytes()));
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof CandorException c) {
                throw c;
            }
            throw new CandorException("cannot read the shard " + part + ": " + e.getMessage(), e);
        }
        Map<String, boolean[]> flagArrays = new LinkedHashMap<>();
        flags.forEach((c, list) -> {
            boolean[] a = new boolean[list.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = list.get(i);
            }
            flagArrays.put(c, a);
        });
        return new Part(ids.stream().mapToLong(Long::longValue).toArray(), labels.stream().mapToLong(Long::longValue).toArray(),
                flagArrays, tensors);
    }

    private static org.apache.hadoop.fs.Path hadoop(Path part) {
        return new org.apache.hadoop.fs.Path(part.toAbsolutePath().toUri());
    }

    static long[] longs(JsonNode array) {
        long[] a = new long[array.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = array.get(i).asLong();
        }
        return a;
    }
}
