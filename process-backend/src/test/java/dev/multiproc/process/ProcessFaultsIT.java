package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Backend;
import dev.multiproc.Event;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.TaskFailedException;
import dev.multiproc.WorkerDiedException;
import dev.multiproc.spi.BackendConfig;
import dev.multiproc.tck.Await;
import dev.multiproc.tck.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child that dies while it runs a pool task (SIGKILL, System.exit, out of memory) fails that task
 * only, promptly, with {@link WorkerDiedException}; the pool replaces the child and finishes the
 * rest; with retries allowed the task runs again. Each test prints how long detection and
 * recovery took ("[fault-timing]").
 */
@Timeout(180)
class ProcessFaultsIT {

  private Backend backend;

  private Backend open(Map<String, String> settings) {
    backend = new ProcessBackendProvider().open(BackendConfig.of("process", settings));
    return backend;
  }

  @AfterEach
  void close() {
    if (backend != null) {
      backend.close();
    }
  }

  private static void timing(String what, long startNanos) {
    System.out.printf("[fault-timing] %s: %.1f ms%n", what, (System.nanoTime() - startNanos) / 1e6);
  }

  /** Item 3's task reports its pid and waits to be killed; the others return at once. */
  @Test
  void aChildKilledWithSigkillFailsOnlyItsTaskAndThePoolCarriesOn() throws Exception {
    Backend b = open(Map.of());
    Queue<Long> pids = b.newQueue(0);
    try (Pool pool = b.newPool(PoolOptions.builder().workers(2).build())) {
      Iterator<Integer> results = pool.imap(i -> {
        if (i == 3) {
          pids.put(ProcessHandle.current().pid());
          Thread.sleep(Long.MAX_VALUE);
        }
        return i * 10;
      }, IntStream.range(0, 10).boxed().toList());
      long pid = pids.get(Duration.ofSeconds(60)).orElseThrow();
      long killed = System.nanoTime();
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      List<Object> outcomes = new ArrayList<>();
      while (results.hasNext()) {
        try {
          outcomes.add(results.next());
        } catch (WorkerDiedException e) {
          timing("SIGKILL of a child to WorkerDiedException", killed);
          assertThat(e.exitCode()).hasValue(-9);
          assertThat(e.itemIndex()).hasValue(3);
          assertThat(e).hasMessageContaining("died with exit code -9 while running item 3");
          outcomes.add("died");
        }
      }
      assertThat(outcomes).containsExactly(0, 10, 20, "died", 40, 50, 60, 70, 80, 90);
      long again = System.nanoTime();
      assertThat(pool.map(i -> i + 1, List.of(1, 2, 3, 4), 1)).containsExactly(2, 3, 4, 5);
      timing("map on the pool after the death (replacement included)", again);
    }
  }

  @Test
  void systemExitInATaskFailsItWithTheExitCodeAndMapNamesTheItem() {
    Backend b = open(Map.of());
    LogCapture log = LogCapture.of("dev.multiproc.process");
    try (Pool pool = b.newPool(PoolOptions.builder().name("exits").workers(2).build())) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> pool.map(i -> {
        if (i == 5) {
          System.exit(7);
        }
        return i;
      }, IntStream.range(0, 8).boxed().toList(), 1))
          .isInstanceOfSatisfying(WorkerDiedException.class, e -> {
            assertThat(e.exitCode()).hasValue(7);
            assertThat(e.itemIndex()).hasValue(5);
          })
          .hasMessageContaining("item 5");
      timing("System.exit(7) in a task to WorkerDiedException", start);
      assertThat(pool.map(i -> i * 2, List.of(1, 2, 3), 1)).containsExactly(2, 4, 6);
      List<String> warnings = log.records().stream()
          .filter(r -> r.getLevel() == java.util.logging.Level.WARNING).map(java.util.logging.LogRecord::getMessage).toList();
      assertThat(warnings).as("the death is logged at WARNING").anySatisfy(w -> assertThat(w)
          .startsWith("pool exits: worker exits-").contains("died with exit code 7 while running item 5; starting a replacement."));
    } finally {
      log.close();
    }
  }

  @Test
  void aChildThatRunsOutOfMemoryDiesAndIsReplaced() {
    Backend b = open(Map.of("jvm-options", "-Xmx48m"));
    try (Pool pool = b.newPool(PoolOptions.builder().workers(1).build())) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> pool.map(i -> {
        List<byte[]> hog = new ArrayList<>();
        while (true) {
          hog.add(new byte[1 << 20]);
        }
      }, List.of(1)))
          .isInstanceOfSatisfying(WorkerDiedException.class, e -> assertThat(e.exitCode()).hasValue(3))
          .hasMessageContaining("OutOfMemoryError");
      timing("OutOfMemoryError in a child to WorkerDiedException", start);
      assertThat(pool.map(i -> i, List.of(7))).containsExactly(7);
    }
  }

  /** In Java a stack overflow is an error the task throws; the child survives it. */
  @Test
  void aStackOverflowFailsTheTaskAndTheWorkerCarriesOn() {
    Backend b = open(Map.of());
    try (Pool pool = b.newPool(PoolOptions.builder().workers(1).build())) {
      assertThatThrownBy(() -> pool.map(i -> recurse(i), List.of(1)))
          .isInstanceOf(TaskFailedException.class)
          .hasCauseInstanceOf(StackOverflowError.class);
      assertThat(pool.map(i -> i + 1, List.of(1))).containsExactly(2);
    }
  }

  static int recurse(int n) {
    return recurse(n + 1) + 1;
  }

  @Test
  void withRetriesAMapSurvivesAWorkerDeath() throws Exception {
    Backend b = open(Map.of());
    Event killedOnce = b.newEvent();
    Queue<Long> pids = b.newQueue(0);
    try (Pool pool = b.newPool(PoolOptions.builder().workers(2).retriesOnWorkerDeath(1).build())) {
      Thread killer = Thread.ofPlatform().start(() -> {
        try {
          long pid = pids.get(Duration.ofSeconds(60)).orElseThrow();
          killedOnce.set();
          ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      long start = System.nanoTime();
      List<Integer> out = pool.map(i -> {
        if (i == 4 && !killedOnce.isSet()) {
          pids.put(ProcessHandle.current().pid());
          Thread.sleep(Long.MAX_VALUE);
        }
        return i;
      }, IntStream.range(0, 12).boxed().toList(), 1);
      timing("map with one worker killed and its task retried", start);
      killer.join();
      assertThat(out).isEqualTo(IntStream.range(0, 12).boxed().toList());
    }
  }

  @Test
  void aRetriedTaskThatKeepsKillingItsWorkerFailsAfterTheRetries() {
    Backend b = open(Map.of());
    try (Pool pool = b.newPool(PoolOptions.builder().workers(1).retriesOnWorkerDeath(2).build())) {
      assertThatThrownBy(() -> pool.submit(() -> {
        Runtime.getRuntime().halt(9);
        return null;
      }).join()).cause().isInstanceOfSatisfying(WorkerDiedException.class, e -> assertThat(e.exitCode()).hasValue(9));
      assertThat(pool.submit(() -> "still works").join()).isEqualTo("still works");
    }
  }

  @Test
  void aTaskOverItsTimeoutIsStoppedByKillingItsChild() throws Exception {
    Backend b = open(Map.of());
    Queue<Long> pids = b.newQueue(0);
    // A warm child first, and 3 s, not less: on a loaded machine a cold JVM's first unit alone
    // (loading this class and its lambda) took over 500 ms.
    try (Pool pool = b.newPool(PoolOptions.builder().workers(1).taskTimeout(Duration.ofSeconds(3)).build())) {
      assertThat(pool.map(i -> i, List.of(0))).containsExactly(0);
      long start = System.nanoTime();
      assertThatThrownBy(() -> pool.map(i -> {
        if (i == 1) {
          pids.put(ProcessHandle.current().pid());
          Thread.sleep(Long.MAX_VALUE);
        }
        return i;
      }, List.of(0, 1, 2)))
          .isInstanceOf(TaskFailedException.class)
          .hasMessageContaining("item 1")
          .hasCauseInstanceOf(TimeoutException.class);
      timing("a 3 s task timeout to TaskFailedException", start);
      long pid = pids.get(Duration.ofSeconds(10)).orElseThrow();
      Await.until(() -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), Duration.ofSeconds(10));
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("the stuck child is killed").isFalse();
      assertThat(pool.map(i -> i, List.of(5, 6))).containsExactly(5, 6);
    }
  }

  /**
   * A dead child's replacement starts on a thread of its own: a replacement that is slow to start
   * (here: held back until the test lets it go) does not keep the dead child from being gone.
   */
  @Test
  void aSlowReplacementDoesNotHoldBackTheEndOfTheChildItReplaces(@TempDir Path dir) throws Exception {
    Path launches = dir.resolve("launches");
    Path go = dir.resolve("go");
    Path java = dir.resolve("java.sh");
    String realJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // The first launch starts at once; later ones wait for the file "go".
    Files.writeString(java, """
        #!/bin/sh
        n=$(cat '%1$s' 2>/dev/null || echo 0)
        echo $((n + 1)) > '%1$s'
        if [ "$n" -ge 1 ]; then
          while [ ! -e '%2$s' ]; do sleep 0.05; done
        fi
        exec '%3$s' "$@"
        """.formatted(launches, go, realJava));
    assertThat(java.toFile().setExecutable(true)).isTrue();
    ProcessBackend b = (ProcessBackend) open(Map.of("java", java.toString(), "cds", "false", "start-timeout", "PT120S"));
    try (Pool pool = b.newPool(PoolOptions.builder().workers(1).build())) {
      CompletableFuture<Object> dies = pool.submit(() -> {
        Runtime.getRuntime().halt(3);
        return null;
      });
      assertThatThrownBy(dies::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(WorkerDiedException.class);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!(launched(launches) == 2 && b.childCount() == 1) && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      assertThat(launched(launches)).as("the replacement is being launched").isEqualTo(2);
      assertThat(b.childCount()).as("children not gone while the replacement waits to start").isEqualTo(1);
      Files.createFile(go);
      assertThat(pool.submit(() -> 7).get(60, TimeUnit.SECONDS)).isEqualTo(7);
    }
  }

  private static int launched(Path launches) throws java.io.IOException {
    String s = Files.exists(launches) ? Files.readString(launches).strip() : "";
    return s.isEmpty() ? 0 : Integer.parseInt(s);
  }
}
