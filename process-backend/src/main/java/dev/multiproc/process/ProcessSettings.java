package dev.multiproc.process;

import dev.multiproc.spi.BackendConfig;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code multiproc.process.*} settings, read once when the backend opens.
 *
 * @param java the java executable for children
 * @param jvmOptions options for every child JVM, after the defaults (so they can override them)
 * @param classes where children find the classes: class path, module path (see {@link ChildClassPath})
 * @param startTimeout how long to wait for a child to be ready
 * @param shutdownTimeout how long a graceful close waits for children before killing them
 * @param cds whether children use a class-data-sharing archive (see {@link CdsArchive}); never on
 *     the module path
 * @param cdsDir where the archives are kept
 * @param spares how many started children a backend keeps ready for {@code Worker.start()}
 * @param sharedMemory whether children send their messages through shared memory ({@link Ring})
 *     rather than their stdout pipe
 */
record ProcessSettings(String java, List<String> jvmOptions, ChildClassPath classes, Duration startTimeout,
    Duration shutdownTimeout, boolean cds, Path cdsDir, int spares, boolean sharedMemory) {

  /** The system property that tells a spare child to warm itself up while it waits. */
  static final String WARM_PROPERTY = "multiproc.child.warm";

  /**
   * The system property that tells a child to run its shutdown hooks when its parent closes it (or
   * dies), rather than halt at once: set when {@code jvm-options} start a Flight Recorder recording,
   * whose file is written by a shutdown hook.
   */
  static final String EXIT_HOOKS_PROPERTY = "multiproc.child.exit-hooks";

  /**
   * Options every child gets first: a child out of memory dies (and is replaced) rather than limp
   * on; and core reflection uses the JVM's native accessors, not method handles spun on first use
   * (JEP 416), which a young JVM pays for in tens of milliseconds: 30-50 ms for its first
   * {@code FileChannel.map} (the channel's {@link Ring}) and more for the first objects Java
   * serialization builds. Measured on the process backend: a fresh pool's first map 20% faster,
   * {@code start()} + {@code join()} of a worker 10-20% faster (benchmarks/RESULTS.md). A hot
   * reflective call is slower this way; {@code -Djdk.reflect.useNativeAccessorOnly=false} in
   * {@code jvm-options} turns it back.
   */
  static final List<String> DEFAULT_JVM_OPTIONS = List.of("-XX:+ExitOnOutOfMemoryError", "-Djdk.reflect.useNativeAccessorOnly=true");

  /**
   * The collector children get unless {@code jvm-options} choose one: a child is one worker thread,
   * and the serial collector suits that best (least memory and start-up, short pauses on the
   * small heaps of one task at a time).
   */
  static final String DEFAULT_GC = "-XX:+UseSerialGC";

  /**
   * The initial heap children get unless {@code jvm-options} size the heap or its young
   * generation (or its maximum): small, so that the young generation a task allocates its items, results and
   * boxes into stays in the processor's caches (it still grows with what a task keeps). The JVM's
   * default, 1/64 of the machine's memory, made a child spend 3-4 times the CPU per item of a
   * warm {@code map} on the 2-core, 24 GB CI machine (benchmarks/RESULTS.md).
   */
  static final String DEFAULT_HEAP = "-Xms64m";

  static ProcessSettings from(BackendConfig config) {
    String java = config.getString("java", System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    ChildClassPath classes = ChildClassPath.from(config);
    Path defaultDir = Path.of(System.getProperty("java.io.tmpdir"), "multiproc-cds-" + System.getProperty("user.name", "user"));
    return new ProcessSettings(java, config.getList("jvm-options"), classes,
        positive(config, "start-timeout", Duration.ofSeconds(60)),
        positive(config, "shutdown-timeout", Duration.ofSeconds(10)),
        config.getBoolean("cds", true) && !classes.onModulePath(),
        Path.of(config.getString("cds-dir", defaultDir.toString())), spares(config),
        config.getBoolean("shared-memory", true));
  }

  /** The children's class path (entries separated by {@link File#pathSeparator}); may be empty on the module path. */
  String classPath() {
    return classes.classPath();
  }

  private static int spares(BackendConfig config) {
    int n = config.getInt("spares", 1);
    if (n < 0 || n > 64) {
      throw new IllegalArgumentException(config.setting("spares").orElseThrow().describe()
          + " is not valid: expected a number of spare child JVMs from 0 (none) to 64.");
    }
    return n;
  }

  private static Duration positive(BackendConfig config, String option, Duration defaultValue) {
    Duration d = config.getDuration(option, defaultValue);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(config.setting(option).orElseThrow().describe() + " is not valid: expected a positive duration.");
    }
    return d;
  }

  /** The command that starts a child, with {@code extra} options (CDS, warm-up) before the user's. */
  List<String> command(List<String> extra) {
    List<String> c = new ArrayList<>();
    c.add(java);
    c.addAll(DEFAULT_JVM_OPTIONS);
    if (jvmOptions.stream().noneMatch(o -> o.matches("-XX:[+-]Use\\w*GC"))) {
      c.add(DEFAULT_GC);
    }
    if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Xms") || o.startsWith("-Xmn") || o.startsWith("-Xmx")
        || o.matches("-XX:(InitialHeapSize|MaxHeapSize|NewSize|MaxNewSize|NewRatio|\\w*RAM\\w*)=.*"))) {
      c.add(DEFAULT_HEAP);
    }
    c.addAll(extra);
    if (jvmOptions.stream().anyMatch(o -> o.startsWith("-XX:StartFlightRecording"))) {
      c.add("-D" + EXIT_HOOKS_PROPERTY + "=true");
    }
    for (String p : List.of("stdout.encoding", "stderr.encoding")) {
      String v = System.getProperty(p);
      if (v != null) {
        c.add("-D" + p + "=" + v);
      }
    }
    c.addAll(jvmOptions);
    c.addAll(classes.arguments(cdsDir));
    return c;
  }
}
