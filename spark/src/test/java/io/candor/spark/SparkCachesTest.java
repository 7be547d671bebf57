package io.candor.spark;

import static io.candor.spark.SmallLesions.candor;
import static io.candor.spark.SmallLesions.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.finetune.FrozenPrefix;
import io.candor.finetune.PrefixShards;
import io.candor.finetune.SpuriousMasks;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.tensor.HostTensor;
import io.candor.interpreter.TapCache;
import io.candor.models.data.DatasetFolder;
import io.candor.models.data.DatasetSplit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The caches written on Spark hold what the single-machine trainers compute themselves, to the bit,
 * and training from them gives the same model file: {@code cache prefix} with {@code finetune
 * --prefix-shards}, {@code cache taps} with {@code interpret --tap-shards}.
 */
class SparkCachesTest {
    @TempDir
    Path dir;

    @Test
    void prefixShardsHoldFinetunesOwnValuesAndTrainTheSameModel() throws Exception {
        Path data = SmallLesions.data();
        Path model = SmallLesions.model();
        Path shards = dir.resolve("prefix");
        String printed = candor("cache", "prefix", "--model", model.toString(), "--data", data.toString(), "--cut", "pool3",
                "--shard-rows", "256", "--spark", "local[2]", "--out", shards.toString());
        assertTrue(printed.contains("train: 300 samples") && printed.contains("val: 50 samples"), printed);
        for (String split : List.of("train", "val")) {
            DatasetSplit s = DatasetFolder.read(data, split);
            FrozenPrefix.Values expected;
            try (Executor ex = Executor.of(OnnxReader.read(model))) {
                expected = new FrozenPrefix(ex, "pool3", null, line -> { }).compute(s, SpuriousMasks.perSample(s), true);
            }
            PrefixShards read = SparkPrefixCache.read(shards, split);
            assertEquals(split.equals("train") ? 2 : 1, read.count(), "shards of about 256 samples");
            assertTrue(read.decomposed());
            int from = 0;
            for (int i = 0; i < read.count(); i++) {
                PrefixShards.Shard shard = read.read(i);
                int[] rows = java.util.stream.IntStream.range(from, from + shard.labels().length).toArray();
                assertArrayEquals(expected.values().rows(rows).toFloatArray(), shard.values().toFloatArray(), split + " values");
                assertArrayEquals(expected.relevant().rows(rows).toFloatArray(), shard.relevant().toFloatArray(), split + " relevant");
                assertArrayEquals(Arrays.copyOfRange(s.labels(), from, rows.length + from), shard.labels());
                assertArrayEquals(Arrays.copyOfRange(SpuriousMasks.marked(s), from, rows.length + from), shard.marked());
                from += rows.length;
            }
            assertEquals(s.size(), from);
        }
        List<String> common = List.of("finetune", "--model", model.toString(), "--penalty", "cdep", "--lambda", "10",
                "--epochs", "2");
        Path fromData = dir.resolve("from-data.onnx");
        Path fromShards = dir.resolve("from-shards.onnx");
        candor(with(common, "--cut", "pool3", "--data", data.toString(), "--out", fromData.toString()));
        printed = candor(with(common, "--cut", "pool3", "--prefix-shards", shards.toString(), "--out", fromShards.toString()));
        assertTrue(printed.contains("from 2 shards") && printed.contains("all held in memory"), printed);
        assertArrayEquals(Files.readAllBytes(fromData), Files.readAllBytes(fromShards), "the same model, byte for byte");

        // Shards only stand for the prefix that computed them.
        SmallLesions.Failure f = fails(with(common, "--prefix-shards", shards.toString(), "--cut", "gpool", "--out",
                dir.resolve("x.onnx").toString()));
        assertTrue(f.code() == 1 && f.message().contains("not at --cut gpool"), f.toString());
        Path other = otherModel(model, dir.resolve("other.onnx"));
        f = fails("finetune", "--model", other.toString(), "--cut", "pool3", "--prefix-shards", shards.toString(), "--out",
                dir.resolve("x.onnx").toString());
        assertTrue(f.code() == 1 && f.message().contains("another model or cut"), f.toString());
        f = fails("finetune", "--model", model.toString(), "--cut", "pool3", "--prefix-shards", shards.toString(), "--penalty",
                "rrr", "--out", dir.resolve("x.onnx").toString());
        assertTrue(f.code() == 2 && f.message().contains("give --data"), f.toString());
        f = fails(with(common, "--cut", "pool3", "--out", dir.resolve("x.onnx").toString()));
        assertTrue(f.code() == 2 && f.message().contains("--data is required"), f.toString());
        f = fails("cache", "prefix", "--model", model.toString(), "--data", data.toString(), "--cut", "pool3", "--out",
                shards.toString());
        assertTrue(f.code() == 1 && f.message().contains("exists already"), f.toString());
        assertTrue(!Files.exists(dir.resolve("x.onnx")), "nothing written by the failed runs");
    }

    @Test
    void tapShardsHoldInterpretsOwnCacheAndLearnTheSameDictionary() throws Exception {
        Path data = SmallLesions.data();
        Path model = SmallLesions.model();
        Path shards = dir.resolve("taps");
        candor("cache", "taps", "--model", model.toString(), "--data", data.toString(), "--taps", "relu3,gpool",
                "--shard-rows", "256", "--out", shards.toString());
        DatasetSplit test = DatasetFolder.read(data, "test");
        TapCache expected;
        try (Executor ex = Executor.of(OnnxReader.read(model))) {
            expected = TapCache.compute(ex, test, List.of("relu3", "gpool"), 256);
        }
        byte[] onnx = io.candor.interop.onnx.OnnxWriter.withInitializers(OnnxReader.read(model), java.util.Map.of()).toByteArray();
        TapCache read = SparkTapCache.read(shards, "test", onnx, List.of("relu3", "gpool"));
        assertEquals(expected.size(), read.size());
        assertArrayEquals(expected.labels(), read.labels());
        assertArrayEquals(expected.logits().toFloatArray(), read.logits().toFloatArray());
        assertArrayEquals(expected.inputs().toFloatArray(), read.inputs().toFloatArray());
        for (String tap : List.of("relu3", "gpool")) {
            HostTensor e = expected.taps().get(tap);
            assertArrayEquals(e.shape(), read.taps().get(tap).shape());
            assertArrayEquals(e.toFloatArray(), read.taps().get(tap).toFloatArray(), tap);
        }

        List<String> common = List.of("interpret", "--model", model.toString(), "--data", data.toString(), "--attributes", "4",
                "--epochs", "1", "--picture-steps", "0x0");
        candor(with(common, "--taps", "relu3,gpool", "--out", dir.resolve("plain").toString()));
        candor(with(common, "--taps", "relu3,gpool", "--tap-shards", shards.toString(), "--out", dir.resolve("sharded").toString()));
        assertArrayEquals(Files.readAllBytes(dir.resolve("plain/interpreter.onnx")),
                Files.readAllBytes(dir.resolve("sharded/interpreter.onnx")), "the same interpreter, byte for byte");

        SmallLesions.Failure f = fails(with(common, "--taps", "relu3", "--tap-shards", shards.toString(), "--out",
                dir.resolve("x").toString()));
        assertTrue(f.code() == 1 && f.message().contains("caches the taps [relu3, gpool], not [relu3]"), f.toString());
        f = fails(with(common, "--taps", "relu3,gpool", "--tap-shards", dir.toString(), "--out", dir.resolve("y").toString()));
        assertTrue(f.code() == 1 && f.message().contains("not a complete shard set"), f.toString());
        Path other = otherModel(model, dir.resolve("other.onnx"));
        f = fails("interpret", "--model", other.toString(), "--data", data.toString(), "--taps", "relu3,gpool", "--tap-shards",
                shards.toString(), "--out", dir.resolve("z").toString());
        assertTrue(f.code() == 1 && f.message().contains("cached from another model"), f.toString());
    }

    /** The model with one weight of its first convolution changed: another model, the same graph. */
    private static Path otherModel(Path model, Path out) {
        io.candor.interop.onnx.OnnxModel m = OnnxReader.read(model);
        HostTensor conv1 = m.graph().initializers().get("conv1.weight");
        float[] w = conv1.toFloatArray();
        w[0] += 0.01f;
        io.candor.interop.onnx.OnnxWriter.write(m, java.util.Map.of("conv1.weight", HostTensor.ofFloats(conv1.shape(), w)), out);
        return out;
    }

    @Test
    void aSplitWithoutMarksIsCachedWithoutItsDecompositionAndNoMarksAtAllIsRefusedBeforeAnyWrite() throws Exception {
        Path data = dir.resolve("lesions");
        for (String split : List.of("train", "val")) {
            Files.createDirectories(data.resolve(split));
            for (String file : List.of("x.npy", "y.npy", "mask.npy")) {
                Files.copy(SmallLesions.data().resolve(split).resolve(file), data.resolve(split).resolve(file));
            }
        }
        Files.delete(data.resolve("val/mask.npy"));
        Path model = SmallLesions.model();
        Path shards = dir.resolve("prefix");
        candor("cache", "prefix", "--model", model.toString(), "--data", data.toString(), "--cut", "pool3", "--out",
                shards.toString());
        assertTrue(SparkPrefixCache.read(shards, "train").decomposed());
        assertTrue(!SparkPrefixCache.read(shards, "val").decomposed(), "val marks nothing: no decomposition");
        List<String> common = List.of("finetune", "--model", model.toString(), "--cut", "pool3", "--penalty", "cdep", "--lambda",
                "10", "--epochs", "1");
        candor(with(common, "--data", data.toString(), "--out", dir.resolve("a.onnx").toString()));
        candor(with(common, "--prefix-shards", shards.toString(), "--out", dir.resolve("b.onnx").toString()));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.onnx")), Files.readAllBytes(dir.resolve("b.onnx")));

        Files.delete(data.resolve("train/mask.npy"));
        SmallLesions.Failure f = fails("cache", "prefix", "--model", model.toString(), "--data", data.toString(), "--cut",
                "pool3", "--out", dir.resolve("none").toString());
        assertTrue(f.code() == 1 && f.message().contains("nothing to decompose"), f.toString());
        assertTrue(!Files.exists(dir.resolve("none")), "refused before anything was written");
    }

    private static String[] with(List<String> common, String... more) {
        List<String> all = new java.util.ArrayList<>(common);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
