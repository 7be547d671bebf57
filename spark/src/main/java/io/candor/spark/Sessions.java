package io.candor.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Spark sessions for Candor's jobs, and how many libtorch threads each task may use. */
final class Sessions {
    /** Spark setting: libtorch intra-op threads per task (default: the worker's cores over its concurrent tasks). */
    static final String TORCH_THREADS = "spark.candor.torchThreads";

    private Sessions() {
    }

    /**
     * The session at {@code master}; under spark-submit, which set the master already, the one it made.
     * Candor's jobs need no web UI.
     */
    static SparkSession open(String master) {
        SparkSession.Builder builder = SparkSession.builder().appName("candor").config("spark.ui.enabled", "false");
        if (master != null && !new SparkConf().contains("spark.master")) {
            builder.master(master);
        }
        return builder.getOrCreate();
    }

    /**
     * libtorch threads per task: the setting if given, else this machine's cores shared among the tasks
     * that run at once on it (local[N]: N; a cluster: spark.executor.cores, default 1), so that tasks
     * neither idle cores nor fight over them.
     */
    static int torchThreads(SparkSession spark) {
        SparkConf conf = spark.sparkContext().getConf();
        if (conf.contains(TORCH_THREADS)) {
            return Math.max(1, conf.getInt(TORCH_THREADS, 1));
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int tasks = spark.sparkContext().isLocal() ? spark.sparkContext().defaultParallelism()
                : conf.getInt("spark.executor.cores", 1) / Math.max(1, conf.getInt("spark.task.cpus", 1));
        return Math.max(1, cores / Math.max(1, tasks));
    }
}
