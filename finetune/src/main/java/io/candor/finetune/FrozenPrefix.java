package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.candor.attribution.cd.CdValue;
import io.candor.attribution.cd.ContextualDecomposition;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.onnx.Node;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import io.candor.models.data.DatasetSplit;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The frozen part of a model being fine-tuned, run once. Everything up to the cut is frozen as a whole
 * (weights, running statistics, evaluation mode), so for each sample the cut tensor's value never
 * changes while the layers after it train, and neither does its contextual decomposition there for
 * the samples whose spurious mask is not empty. Both are computed once per split and the suffix trains
 * from them ({@link CachedBatches}).
 *
 * <p>With a cache folder they are also kept as {@code .npy} files under a key made of the prefix's
 * nodes and weights, the cut and the split's inputs and masks, and later runs with the same model,
 * data and cut read them instead of computing them again.
 */
public final class FrozenPrefix {
    /** Samples per pass when computing the prefix. */
    public static final int CHUNK = 256;
    private static final String VERSION = "candor frozen prefix 2";

    private final Executor executor;
    private final String cut;
    private final String input;
    private final Path cacheDir;
    private final Consumer<String> log;
    private byte[] prefixDigest;

    /**
     * @param cacheDir where to keep the values between runs, or {@code null} to hold them in memory only
     * @param log receives one line per split saying what was computed or read
     * @throws CandorException when the layers after the cut also read something from before it other than
     *     the cut (then the cut's values alone cannot stand in for the prefix)
     */
    public FrozenPrefix(Executor executor, String cut, Path cacheDir, Consumer<String> log) {
        this.executor = executor;
        this.cut = cut;
        this.input = executor.singleInput();
        this.cacheDir = cacheDir;
        this.log = log;
        String reason = whyNot(executor, cut);
        if (reason != null) {
            throw new CandorException("the frozen prefix up to '" + cut + "' cannot be cached: " + reason);
        }
    }

    /** Why the prefix up to {@code cut} cannot stand in for the model's input, or null when it can. */
    public static String whyNot(Executor executor, String cut) {
        executor.graph().requireTensor(cut);
        if (executor.graph().isInput(cut)) {
            return "it is the model's input, so nothing is frozen";
        }
        if (executor.weights().containsKey(cut)) {
            return "it is a weight";
        }
        String output = executor.graph().outputs().get(0).name();
        Set<String> missing = new LinkedHashSet<>();
        executor.graph().nodesFor(List.of(output), Set.of(cut), missing);
        if (!missing.isEmpty()) {
            return "the layers after it also read " + missing + " (a path around the cut); choose a tensor every"
                    + " path from the input to the output passes through";
        }
        return null;
    }

    /**
     * The split served from its prefix values, computed or read from the cache.
     *
     * @param decompose also decompose the marked samples at the cut (needed by CD penalties)
     */
    public CachedBatches batches(DatasetSplit split, String name, boolean decompose, int batchSize) {
        boolean[] marked = SpuriousMasks.marked(split);
        boolean withParts = decompose && SpuriousMasks.any(marked);
        Values values = null;
        Path dir = cacheDir == null ? null : cacheDir.resolve("prefix-" + key(split, withParts));
        long start = System.nanoTime();
        if (dir != null && Files.exists(dir.resolve("about.json"))) {
            try {
                values = Values.read(dir, split.size(), withParts);
                log.accept(String.format("frozen prefix: read '%s' for %d %s samples from %s", cut, split.size(), name, dir));
            } catch (CandorException e) {
                log.accept("frozen prefix: the cache " + dir + " is unreadable (" + e.getMessage() + "); computing it again");
            }
        }
        if (values == null) {
            values = compute(split, SpuriousMasks.perSample(split), withParts);
            String where = "";
            if (dir != null) {
                values.write(dir, cut, name, executor.model().label());
                where = ", cached in " + dir;
            }
            log.accept(String.format("frozen prefix: computed '%s' for %d %s samples in %.1f s%s", cut, split.size(), name,
                    (System.nanoTime() - start) / 1e9, where));
        }
        NDManager manager = Engines.newManager();
        try {
            return new CachedBatches(manager, cut, values.values.toNDArray(manager),
                    split.y().toNDArray(manager).toType(DataType.INT64, false),
                    values.relevant == null ? null : values.relevant.toNDArray(manager), marked, batchSize);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The cut tensor of every sample and, when {@code decompose}, its relevant part (zero for samples
     * whose mask is empty), in evaluation mode, computed in chunks of {@value #CHUNK} samples. A part of
     * a split that starts at a multiple of {@value #CHUNK} gives the same values, to the bit, as the whole
     * split does there (the Spark job that writes the prefix as shards relies on it).
     *
     * @param perSample whether the mask holds a row per sample (decided on the whole split: a part of one
     *     row looks shared)
     */
    public Values compute(DatasetSplit split, boolean perSample, boolean decompose) {
        int n = (int) split.size();
        boolean training = executor.isTraining();
        executor.setTraining(false);
        Rows values = null;
        Rows relevant = null;
        ContextualDecomposition cd = new ContextualDecomposition(executor);
        try (NDManager data = Engines.newManager()) {
            NDArray x = split.x().toNDArray(data);
            NDArray mask = split.mask() == null ? null : split.mask().toNDArray(data);
            for (int from = 0; from < n; from += CHUNK) {
                int to = Math.min(n, from + CHUNK);
                try (NDManager chunk = Engines.newManager()) {
                    NDArray xs = x.get(from + ":" + to);
                    xs.attach(chunk);
                    Batch.CdStart start = null;
                    if (decompose) {
                        NDArray masks = perSample ? mask.get(from + ":" + to) : mask;
                        if (perSample) {
                            masks.attach(chunk);
                        }
                        start = Batch.ofInputs(chunk, input, xs, null, masks).cdStart();
                    }
                    // Decomposition computes the total too, so a decomposed chunk needs no plain pass.
                    CdValue at = start == null ? null : cd.from(chunk, input, start.value(), List.of(cut)).get(cut);
                    NDArray value = at != null ? at.total() : executor.run(chunk, Map.of(input, xs), List.of(cut)).get(cut);
                    values = Rows.append(values, value, n, cut);
                    if (decompose) {
                        relevant = Rows.append(relevant, at == null ? value.zerosLike() : at.relevantOrZeros(), n, cut);
                    }
                }
            }
        } finally {
            executor.setTraining(training);
        }
        return new Values(values.tensor(), relevant == null ? null : relevant.tensor());
    }

    /** A key for the prefix's values on a split: what determines them, hashed. */
    private String key(DatasetSplit split, boolean withParts) {
        MessageDigest sha = sha256();
        sha.update(prefixDigest());
        text(sha, String.valueOf(withParts));
        tensor(sha, "x", split.x());
        if (withParts) {
            tensor(sha, "mask", split.mask());
        }
        return hex(sha.digest(), 24);
    }

    /**
     * What identifies the prefix (its nodes, weights, cut and opset) in hexadecimal: values stored under
     * another key come from another model or cut.
     */
    public String prefixKey() {
        return hex(prefixDigest(), 64);
    }

    private static String hex(byte[] digest, int digits) {
        StringBuilder hex = new StringBuilder();
        for (byte b : digest) {
            hex.append(String.format("%02x", b));
        }
        return hex.substring(0, digits);
    }

    /**
     * The hash of the prefix itself (nodes, weights, cut, opset), taken once for every split: the prefix
     * is frozen, so it must not change while this object is in use (a changed one is another prefix).
     */
    private byte[] prefixDigest() {
        if (prefixDigest == null) {
            MessageDigest sha = sha256();
            text(sha, VERSION + "\n" + cut + "\nopset " + executor.model().opset());
            Set<String> missing = new LinkedHashSet<>();
            for (Node node : executor.graph().nodesFor(List.of(cut), Set.of(input), missing)) {
                text(sha, node.opType() + "|" + node.domain() + "|" + node.inputs() + "|" + node.outputs());
                new TreeMap<>(node.attributes().asMap()).forEach((k, a) -> sha.update(a.toByteArray()));
                for (String in : node.inputs()) {
                    if (executor.weights().containsKey(in)) {
                        tensor(sha, in, HostTensor.of(executor.weight(in)));
                    }
                }
            }
            prefixDigest = sha.digest();
        }
        return prefixDigest;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static void text(MessageDigest sha, String s) {
        sha.update(s.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
    }

    private static void tensor(MessageDigest sha, String name, HostTensor t) {
        text(sha, name + "|" + t.type() + "|" + java.util.Arrays.toString(t.shape()));
        sha.update(t.data());
    }

    /** Rows of float32 tensors gathered chunk by chunk into one host tensor of {@code rows} rows. */
    private record Rows(ByteBuffer bytes, long[] shape) {
        static Rows append(Rows into, NDArray chunk, int rows, String cut) {
            if (!chunk.getDataType().isFloating()) {
                throw new CandorException("the cut '" + cut + "' holds " + chunk.getDataType()
                        + " values; cut at a floating-point tensor");
            }
            HostTensor h = HostTensor.of(chunk.toType(DataType.FLOAT32, false));
            if (into == null) {
                long[] shape = h.shape().clone();
                shape[0] = rows;
                into = new Rows(ByteBuffer.allocate(Math.toIntExact(HostTensor.elementCount(shape) * 4))
                        .order(ByteOrder.LITTLE_ENDIAN), shape);
            }
            into.bytes.put(h.data());
            return into;
        }

        HostTensor tensor() {
            return new HostTensor(io.candor.interop.tensor.DataType.FLOAT32, shape, bytes.flip());
        }
    }

    /**
     * What the prefix gives for samples of a split, as stored: the cut tensor, and its relevant part
     * ({@code null} when not decomposed).
     */
    public record Values(HostTensor values, HostTensor relevant) {
        void write(Path dir, String cut, String split, String model) {
            Npy.write(dir.resolve("values.npy"), values);
            if (relevant != null) {
                Npy.write(dir.resolve("relevant.npy"), relevant);
            }
            // Written last: a folder without it is an interrupted write, computed again.
            Map<String, Object> about = new java.util.LinkedHashMap<>();
            about.put("model", model);
            about.put("cut", cut);
            about.put("split", split);
            about.put("samples", values.shape()[0]);
            about.put("decomposed", relevant != null);
            try {
                AtomicFiles.writeString(dir.resolve("about.json"), new com.fasterxml.jackson.databind.ObjectMapper()
                        .writerWithDefaultPrettyPrinter().writeValueAsString(about));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("a map of strings and numbers always serialises", e);
            }
        }

        static Values read(Path dir, long samples, boolean decomposed) {
            HostTensor values = Npy.read(dir.resolve("values.npy"));
            HostTensor relevant = decomposed ? Npy.read(dir.resolve("relevant.npy")) : null;
            if (values.shape()[0] != samples || (relevant != null && !java.util.Arrays.equals(relevant.shape(), values.shape()))) {
                throw new CandorException("its arrays do not match the split's " + samples + " samples");
            }
            return new Values(values, relevant);
        }
    }
}
