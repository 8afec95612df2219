package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Backend;
import dev.multiproc.Event;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.spi.BackendConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Starting and ending workers, pools and backends leaves no process, thread or file descriptor
 * behind; spare children are the only children of an idle backend, and go with it.
 */
// A hang guard, not a time limit: 200 child JVMs one after another took 280-350 s on a 2-core
// machine under load (about 1.5 s a child).
@Timeout(600)
class LeakIT {

  private static long openFileDescriptors() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (IOException e) {
      throw new IllegalStateException("counting /proc/self/fd", e);
    }
  }

  private static long ourThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("multiproc-")).count();
  }

  private static long descendants() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count();
  }

  /** Waits until the count is at most {@code limit}; returns the last count. */
  private static long settle(LongSupplier count, long limit) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    long n = count.getAsLong();
    while (n > limit && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      n = count.getAsLong();
    }
    return n;
  }

  @Test
  void twoHundredWorkersStartedAndJoinedLeakNothing() throws Exception {
    try (Backend backend = new ProcessBackendProvider().open(BackendConfig.of("process", Map.of()))) {
      Queue<Integer> q = backend.newQueue(0);
      for (int i = 0; i < 5; i++) { // warm up: the JDK's own threads (process reaper) start here
        backend.newWorker(() -> q.put(1), WorkerOptions.defaults()).start().join();
      }
      // the spare's start waits for the worker that took the last one: count with it started
      assertThat(settle(() -> 1 - ((ProcessBackend) backend).spareCount(), 0)).as("a spare after the warm-up").isZero();
      long fds = openFileDescriptors();
      long threads = ourThreads();
      long start = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        int n = i;
        Worker w = backend.newWorker(() -> q.put(n), WorkerOptions.defaults()).start();
        w.join();
        assertThat(w.exitCode()).hasValue(0);
      }
      System.out.printf("[fault-timing] 200 workers started and joined one after another: %.1f s%n",
          (System.nanoTime() - start) / 1e9);
      assertThat(q.size()).isEqualTo(205);
      assertThat(settle(LeakIT::openFileDescriptors, fds)).as("open file descriptors").isLessThanOrEqualTo(fds);
      assertThat(settle(LeakIT::ourThreads, threads)).as("multiproc threads").isLessThanOrEqualTo(threads);
      assertThat(settle(LeakIT::descendants, 1)).as("child processes: only the one spare").isLessThanOrEqualTo(1);
      backend.close();
      assertThat(descendants()).as("child processes after Backend.close()").isZero();
      assertThat(settle(LeakIT::ourThreads, 0)).as("multiproc threads after Backend.close()").isZero();
    }
  }

  /**
   * A taken spare's replacement waits for the worker that took it to end (so that it does not
   * take the cores a short worker needs), but not for ever: it starts while a long one still runs.
   */
  @Test
  void aTakenSpareIsReplacedWhileALongWorkerStillRuns() throws Exception {
    try (Backend backend = new ProcessBackendProvider().open(BackendConfig.of("process", Map.of("spares", "1")))) {
      ProcessBackend b = (ProcessBackend) backend;
      backend.newWorker(() -> { }, WorkerOptions.defaults()).start().join();
      assertThat(settle(() -> 1 - b.spareCount(), 0)).as("a spare after the first worker").isZero();
      Event stop = backend.newEvent();
      List<Long> spares = ProcessHandle.current().children().map(ProcessHandle::pid).toList();
      Worker w = backend.newWorker(stop::await, WorkerOptions.defaults()).start();
      assertThat(spares).as("the worker runs in the spare").contains(w.pid().orElseThrow());
      assertThat(settle(() -> 1 - b.spareCount(), 0)).as("replaced while the worker runs").isZero();
      assertThat(w.isAlive()).isTrue();
      stop.set();
      assertThat(w.join(Duration.ofSeconds(60))).isTrue();
      assertThat(w.exitCode()).hasValue(0);
    }
    assertThat(settle(LeakIT::descendants, 0)).as("children after Backend.close()").isZero();
  }

  @Test
  void sparesWaitStartedAreAdoptedAndAreGoneWithTheBackend() throws Exception {
    long fds = openFileDescriptors();
    try (Backend backend = new ProcessBackendProvider().open(BackendConfig.of("process", Map.of("spares", "2")))) {
      ProcessBackend b = (ProcessBackend) backend;
      Queue<Long> pids = backend.newQueue(0);
      assertThat(b.spareCount()).as("no spare before the first worker").isZero();
      backend.newWorker(() -> pids.put(ProcessHandle.current().pid()), WorkerOptions.defaults()).start().join();
      assertThat(settle(() -> 2 - b.spareCount(), 0)).as("spares missing after the first worker").isZero();
      assertThat(settle(LeakIT::descendants, 2)).as("the spares are the only children").isEqualTo(2);
      List<Long> spares = ProcessHandle.current().children().map(ProcessHandle::pid).toList();
      Worker w = backend.newWorker(() -> pids.put(ProcessHandle.current().pid()), WorkerOptions.defaults()).start();
      assertThat(spares).as("the worker runs in a spare").contains(w.pid().orElseThrow());
      w.join();
      assertThat(w.exitCode()).hasValue(0);
      pids.get();
      assertThat(pids.get()).isEqualTo(w.pid().orElseThrow());
      assertThat(settle(() -> 2 - b.spareCount(), 0)).as("the taken spare is replaced").isZero();
      backend.close();
      assertThat(descendants()).as("spares after Backend.close()").isZero();
      assertThat(settle(LeakIT::ourThreads, 0)).as("multiproc threads after Backend.close()").isZero();
    }
    assertThat(settle(LeakIT::openFileDescriptors, fds)).as("open file descriptors").isLessThanOrEqualTo(fds);
  }

  @Test
  void closingOrTerminatingPoolsAndClosingBackendsLeavesNoChildOrThread() throws Exception {
    long fds = openFileDescriptors();
    for (String how : List.of("close", "terminate", "backend")) {
      // no spares: this test counts the children of pools and workers exactly
      Backend backend = new ProcessBackendProvider().open(BackendConfig.of("process", Map.of("spares", "0")));
      Pool pool = backend.newPool(PoolOptions.builder().workers(3).build());
      assertThat(pool.map(x -> x + 1, List.of(1, 2, 3), 1)).containsExactly(2, 3, 4);
      pool.submit(() -> {
        Thread.sleep(how.equals("close") ? 10 : Long.MAX_VALUE);
        return null;
      });
      Worker w = backend.newWorker(() -> Thread.sleep(Long.MAX_VALUE), WorkerOptions.defaults()).start();
      assertThat(descendants()).isEqualTo(4);
      switch (how) {
        case "close" -> pool.close();
        case "terminate" -> pool.terminate();
        default -> { }
      }
      if (!how.equals("backend")) {
        assertThat(settle(LeakIT::descendants, 1)).as("after pool." + how + "()").isEqualTo(1);
        w.kill();
        w.join();
      }
      backend.close();
      assertThat(descendants()).as("after " + how + " and Backend.close()").isZero();
      assertThat(settle(LeakIT::ourThreads, 0)).as("multiproc threads after " + how).isZero();
    }
    assertThat(settle(LeakIT::openFileDescriptors, fds)).as("open file descriptors").isLessThanOrEqualTo(fds);
  }
}
