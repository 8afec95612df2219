package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Backend;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.spi.BackendConfig;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a class path of jars, the first child writes a class-data-sharing archive and later
 * children start from it; nothing about that shows on their output. Prints the start times.
 */
@Timeout(180)
class CdsArchiveIT {

  /** The test's class path, every directory packed into a jar (HotSpot archives classes from jars only). */
  private static String jarClassPath(Path dir) throws IOException {
    List<String> jars = new ArrayList<>();
    int n = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (Files.isDirectory(p)) {
        Path jar = dir.resolve("dir" + (n++) + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(p)) {
          for (Path f : files.filter(Files::isRegularFile).toList()) {
            out.putNextEntry(new JarEntry(p.relativize(f).toString().replace(File.separatorChar, '/')));
            Files.copy(f, out);
            out.closeEntry();
          }
        }
        jars.add(jar.toString());
      } else if (entry.endsWith(".jar")) {
        jars.add(entry);
      }
    }
    return String.join(File.pathSeparator, jars);
  }

  private static long jsaFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".jsa")).count();
    }
  }

  @Test
  void theFirstChildTrainsAnArchiveAndLaterChildrenStartFromIt(@TempDir Path temp) throws Exception {
    Path cdsDir = temp.resolve("cds");
    Map<String, String> settings = Map.of("class-path", jarClassPath(temp), "cds-dir", cdsDir.toString());
    try (Backend b = new ProcessBackendProvider().open(BackendConfig.of("process", settings))) {
      Queue<String> q = b.newQueue(0);
      long t0 = System.nanoTime();
      Worker trainer = b.newWorker(() -> q.put("trained"), WorkerOptions.defaults()).start();
      List<String> args = ProcessHandle.of(trainer.pid().orElseThrow()).flatMap(h -> h.info().arguments())
          .map(List::of).orElse(List.of());
      trainer.join();
      double trainerMs = (System.nanoTime() - t0) / 1e6;
      assertThat(trainer.exitCode()).hasValue(0);
      assertThat(q.get(Duration.ofSeconds(10))).contains("trained");
      if (!args.isEmpty()) {
        assertThat(args).anySatisfy(a -> assertThat(a).startsWith("-XX:ArchiveClassesAtExit="));
      }
      assertThat(jsaFiles(cdsDir)).as("the published archive").isEqualTo(1);

      for (int i = 0; i < 3; i++) {
        long t1 = System.nanoTime();
        Worker w = b.newWorker(() -> q.put("from the archive"), WorkerOptions.defaults()).start();
        List<String> a = ProcessHandle.of(w.pid().orElseThrow()).flatMap(h -> h.info().arguments())
            .map(List::of).orElse(List.of());
        w.join();
        System.out.printf("[cds] trainer start+run+exit %.1f ms; worker from the archive %.1f ms%n",
            trainerMs, (System.nanoTime() - t1) / 1e6);
        assertThat(w.exitCode()).hasValue(0);
        assertThat(q.get(Duration.ofSeconds(10))).contains("from the archive");
        if (!a.isEmpty()) {
          assertThat(a).anySatisfy(x -> assertThat(x).startsWith("-XX:SharedArchiveFile="));
        }
      }
      try (Pool pool = b.newPool(PoolOptions.builder().workers(2).build())) {
        assertThat(pool.map(x -> x * 2, List.of(1, 2, 3))).containsExactly(2, 4, 6);
      }
    }
    try (Stream<Path> s = Files.list(cdsDir)) {
      assertThat(s.filter(p -> p.toString().endsWith(".tmp")).toList()).as("no temporary archive left").isEmpty();
    }
  }

  @Test
  void aClassPathWithDirectoriesRunsWithoutAnArchive(@TempDir Path cdsDir) throws Exception {
    try (Backend b = new ProcessBackendProvider().open(BackendConfig.of("process", Map.of("cds-dir", cdsDir.toString())))) {
      Worker w = b.newWorker(() -> {}, WorkerOptions.defaults()).start();
      w.join();
      assertThat(w.exitCode()).hasValue(0);
    }
    assertThat(jsaFiles(cdsDir)).isZero();
  }

}
