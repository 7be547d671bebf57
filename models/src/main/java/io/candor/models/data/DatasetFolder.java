package io.candor.models.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A dataset on disk: one folder per split (train/, val/, test/, and any extra such as test_clean/) with
 * x.npy, y.npy and mask.npy, and meta.json at the top (generator, seed, class names, what the mask marks).
 */
public final class DatasetFolder {
    private DatasetFolder() {
    }

    public static void write(Path dir, Map<String, DatasetSplit> splits, Map<String, Object> meta) {
        splits.forEach((name, split) -> split.write(dir.resolve(name)));
        Map<String, Object> all = new LinkedHashMap<>(meta);
        all.put("splits", splits.keySet());
        try {
            AtomicFiles.writeString(dir.resolve("meta.json"),
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(all));
        } catch (IOException e) {
            throw new CandorException("cannot write " + dir.resolve("meta.json") + ": " + e.getMessage(), e);
        }
    }

    /**
     * The generators' {@code concepts} split where {@code dir} has one (its spurious feature varies apart
     * from the class), else {@code fallback}.
     */
    public static String conceptsSplitOr(Path dir, String fallback) {
        return java.nio.file.Files.isDirectory(dir.resolve("concepts")) ? "concepts" : fallback;
    }

    public static DatasetSplit read(Path dir, String split) {
        if (!Files.isDirectory(dir)) {
            throw new CandorException("dataset folder " + dir + " does not exist (make one with candor data make)");
        }
        Path splitDir = dir.resolve(split);
        if (!Files.isDirectory(splitDir)) {
            throw new CandorException(dir + " has no split '" + split + "'");
        }
        return DatasetSplit.read(splitDir);
    }
}
