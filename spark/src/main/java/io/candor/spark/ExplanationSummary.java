package io.candor.spark;

import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Per explained class, over a dataset's explanations: how many samples, their mean |attribution| map,
 * and for CD the mean share |beta| / (|beta| + |gamma|) of the target logit over the samples whose marked
 * region carries any relevance (a sample with an empty mask has none). Summed per partition on the
 * workers; only the per-class sums reach the driver.
 */
final class ExplanationSummary {
    private ExplanationSummary() {
    }

    /** One class's sums. */
    static final class Sums implements Serializable {
        private static final long serialVersionUID = 1L;
        long samples;
        double[] absolute;
        long marked;
        double share;

        void add(Sums o) {
            samples += o.samples;
            marked += o.marked;
            share += o.share;
            if (absolute == null) {
                absolute = o.absolute;
            } else if (o.absolute != null) {
                for (int i = 0; i < absolute.length; i++) {
                    absolute[i] += o.absolute[i];
                }
            }
        }
    }

    /** Writes {@code mean-abs-class-K.npy} per class into {@code out} and returns the summary for JSON. */
    static Map<String, Object> write(Dataset<Row> explanations, long[] shape, Path out) {
        boolean cd = List.of(explanations.schema().fieldNames()).contains("cd_relevant");
        Map<Long, Sums> total = new TreeMap<>();
        explanations.javaRDD().mapPartitions(rows -> partition(rows, cd)).collect()
                .forEach(m -> m.forEach((k, v) -> total.merge(k, v, (a, b) -> {
                    a.add(b);
                    return a;
                })));
        Map<String, Object> classes = new LinkedHashMap<>();
        long samples = 0;
        for (Map.Entry<Long, Sums> e : total.entrySet()) {
            Sums s = e.getValue();
            samples += s.samples;
            float[] mean = new float[s.absolute.length];
            for (int i = 0; i < mean.length; i++) {
                mean[i] = (float) (s.absolute[i] / s.samples);
            }
            String file = "mean-abs-class-" + e.getKey() + ".npy";
            Npy.write(out.resolve(file), HostTensor.ofFloats(shape, mean));
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("samples", s.samples);
            c.put("meanAbsAttribution", file);
            if (cd) {
                c.put("cdMarkedSamples", s.marked);
                c.put("cdShare", s.marked == 0 ? null : s.share / s.marked);
            }
            classes.put(Long.toString(e.getKey()), c);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("samples", samples);
        summary.put("classes", classes);
        return summary;
    }

    /** One partition's sums per class; {@code cd}: the rows hold CD's parts (known once, from the schema). */
    private static Iterator<Map<Long, Sums>> partition(Iterator<Row> rows, boolean cd) {
        Map<Long, Sums> sums = new TreeMap<>();
        while (rows.hasNext()) {
            Row r = rows.next();
            long target = r.getLong(r.fieldIndex("target"));
            float[] a = floats(r.getAs(SparkExplanation.ATTRIBUTIONS));
            Sums s = sums.computeIfAbsent(target, k -> new Sums());
            if (s.absolute == null) {
                s.absolute = new double[a.length];
            }
            for (int i = 0; i < a.length; i++) {
                s.absolute[i] += Math.abs(a[i]);
            }
            s.samples++;
            if (target >= 0 && cd) {
                List<Float> beta = r.getList(r.fieldIndex("cd_relevant"));
                List<Float> gamma = r.getList(r.fieldIndex("cd_irrelevant"));
                if (beta.stream().anyMatch(v -> v != 0)) {
                    double b = Math.abs(beta.get((int) target));
                    double g = Math.abs(gamma.get((int) target));
                    s.marked++;
                    s.share += b + g == 0 ? 0 : b / (b + g);
                }
            }
        }
        List<Map<Long, Sums>> one = new ArrayList<>();
        one.add(sums);
        return one.iterator();
    }

    private static float[] floats(byte[] bytes) {
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
