package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Backend;
import dev.multiproc.Event;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link Worker} contract: the start/join/isAlive lifecycle, exit codes (0, 1 with the
 * failure, -15 after {@code terminate}, -9 after {@code kill}), lifecycle misuse, names, the daemon
 * flag, {@code pid}, standard output and error reaching the parent's, and what closing the backend
 * does to workers, pools and the factory methods.
 */
public abstract class WorkerConformance extends ConformanceSuite {

  /** For a backend that runs this suite alone: override {@link #provider()}. */
  protected WorkerConformance() {}

  WorkerConformance(ConformanceHooks kit) {
    super(kit);
  }

  @Test
  @DisplayName("start, isAlive, join(timeout) and join follow the task; exit code 0 when it returns")
  void lifecycle() throws Exception {
    Event go = backend().newEvent();
    Queue<String> running = queue();
    Duration hang = patience();
    Worker w = backend().newWorker(() -> {
      running.put("running");
      if (!go.await(hang)) {
        throw new TimeoutException("go was never set");
      }
    }, WorkerOptions.defaults());
    assertThat(w.isAlive()).as("alive before start").isFalse();
    assertThat(w.exitCode()).as("exit code before start").isEmpty();
    assertThat(w.start()).as("start() returns the worker").isSameAs(w);
    assertThat(take(running)).isEqualTo("running");
    assertThat(w.isAlive()).as("alive while the task runs").isTrue();
    assertThat(w.exitCode()).as("exit code while running").isEmpty();
    assertThat(w.failure()).isEmpty();
    assertThat(w.join(STILL_BLOCKED)).as("join(timeout) while the task runs").isFalse();
    assertThat(w.join(Duration.ZERO)).isFalse();
    go.set();
    w.join();
    assertThat(w.isAlive()).as("alive after join").isFalse();
    assertThat(w.exitCode()).hasValue(0);
    assertThat(w.failure()).isEmpty();
    assertThat(w.join(Duration.ZERO)).as("join(timeout) after the end").isTrue();
    assertThat(w.join(hang)).isTrue();
    assertThatNullPointerException().isThrownBy(() -> w.join(null));
  }

  @Test
  @DisplayName("a task that throws gives exit code 1 and its exception as failure()")
  void failingTask() throws Exception {
    Worker unchecked = backend().newWorker(() -> {
      throw new IllegalStateException("broken");
    }, WorkerOptions.defaults()).start();
    Worker checked = backend().newWorker(() -> {
      throw new IOException("no disk");
    }, WorkerOptions.defaults()).start();
    assertThat(unchecked.join(patience())).isTrue();
    assertThat(checked.join(patience())).isTrue();
    assertThat(unchecked.exitCode()).hasValue(1);
    assertThat(unchecked.failure()).get().isInstanceOfSatisfying(IllegalStateException.class,
        e -> assertThat(e).hasMessage("broken"));
    assertThat(checked.exitCode()).hasValue(1);
    assertThat(checked.failure()).get().isInstanceOfSatisfying(IOException.class,
        e -> assertThat(e).hasMessage("no disk"));
  }

  @Test
  @DisplayName("terminate() of a worker blocked in Queue.get() gives exit code -15")
  void terminateBlockedWorker() throws Exception {
    assertStopGivesExitCode(true, -15);
  }

  @Test
  @DisplayName("kill() of a worker blocked in Queue.get() gives exit code -9")
  void killBlockedWorker() throws Exception {
    assertStopGivesExitCode(false, -9);
  }

  private void assertStopGivesExitCode(boolean terminate, int expected) throws Exception {
    Queue<String> ready = queue();
    Queue<String> never = queue();
    Worker w = backend().newWorker(() -> {
      ready.put("blocking");
      never.get();
    }, WorkerOptions.defaults()).start();
    assertThat(take(ready)).isEqualTo("blocking");
    if (terminate) {
      w.terminate();
    } else {
      w.kill();
    }
    assertThat(w.join(patience())).as("the worker ended").isTrue();
    assertThat(w.isAlive()).isFalse();
    assertThat(w.exitCode()).hasValue(expected);
    w.terminate(); // no effect once ended
    w.kill();
    assertThat(w.exitCode()).hasValue(expected);
  }

  @Test
  @DisplayName("terminate() and kill() do nothing to a worker that is not running")
  void stopWhenNotRunning() throws Exception {
    Queue<String> ran = queue();
    Worker w = backend().newWorker(() -> ran.put("ran"), WorkerOptions.defaults());
    w.terminate();
    w.kill();
    assertThat(w.isAlive()).isFalse();
    assertThat(w.exitCode()).isEmpty();
    w.start();
    assertThat(w.join(patience())).isTrue();
    assertThat(w.exitCode()).as("exit code of a worker stopped before it started").hasValue(0);
    assertThat(take(ran)).isEqualTo("ran");
    w.kill();
    assertThat(w.exitCode()).hasValue(0);
  }

  @Test
  @DisplayName("lifecycle misuse throws IllegalStateException: a second start, join before start")
  void lifecycleMisuse() throws Exception {
    Event go = backend().newEvent();
    Duration hang = patience();
    Worker w = backend().newWorker(() -> go.await(hang), WorkerOptions.defaults());
    assertThatIllegalStateException().as("join() before start").isThrownBy(w::join);
    assertThatIllegalStateException().as("join(timeout) before start").isThrownBy(() -> w.join(Duration.ofMillis(10)));
    w.start();
    assertThatIllegalStateException().as("start() while running").isThrownBy(w::start);
    go.set();
    assertThat(w.join(hang)).isTrue();
    assertThatIllegalStateException().as("start() after the end").isThrownBy(w::start);
    assertThat(w.exitCode()).hasValue(0);
    assertThatNullPointerException().isThrownBy(() -> backend().newWorker(null, WorkerOptions.defaults()));
    assertThatNullPointerException().isThrownBy(() -> backend().newWorker(() -> {}, null));
  }

  @Test
  @DisplayName("a worker is named by its options, or Worker-N; it is a daemon only if asked")
  void namesAndDaemonFlag() throws Exception {
    Worker named = backend().newWorker(() -> {}, WorkerOptions.builder().name("sender").daemon(true).build());
    Worker first = backend().newWorker(() -> {}, WorkerOptions.defaults());
    Worker second = backend().newWorker(() -> {}, WorkerOptions.builder().daemon(false).build());
    assertThat(named.name()).isEqualTo("sender");
    assertThat(first.name()).matches("Worker-\\d+");
    assertThat(second.name()).matches("Worker-\\d+").isNotEqualTo(first.name());
    assertThat(named.isDaemon()).isTrue();
    assertThat(first.isDaemon()).isFalse();
    assertThat(second.isDaemon()).isFalse();
    for (Worker w : List.of(named.start(), first.start(), second.start())) {
      assertThat(w.join(patience())).isTrue();
      assertThat(w.exitCode()).as("%s exit code", w.name()).hasValue(0);
    }
    assertThat(named.name()).as("name after the run").isEqualTo("sender");
  }

  @Test
  @DisplayName("pid() is the child's pid on backends whose workers are processes, else empty")
  void pid() throws Exception {
    Event go = backend().newEvent();
    Queue<Long> reported = queue();
    Duration hang = patience();
    Worker w = backend().newWorker(() -> {
      reported.put(ProcessHandle.current().pid());
      go.await(hang);
    }, WorkerOptions.defaults());
    w.start();
    long taskPid = take(reported);
    OptionalLong pid = w.pid();
    if (workersHavePids()) {
      long self = ProcessHandle.current().pid();
      assertThat(pid).as("pid of a running worker").isPresent();
      assertThat(pid.getAsLong()).isEqualTo(taskPid).isNotEqualTo(self);
      assertThat(ProcessHandle.current().descendants().map(ProcessHandle::pid))
          .as("the worker's process is a descendant of this JVM").contains(pid.getAsLong());
    } else {
      assertThat(pid).as("pid of a worker that is not a process").isEmpty();
    }
    go.set();
    assertThat(w.join(hang)).isTrue();
    if (workersHavePids()) {
      assertThat(w.pid()).as("pid after the end").hasValue(taskPid);
    } else {
      assertThat(w.pid()).isEmpty();
    }
  }

  @Test
  @DisplayName("a worker's System.out and System.err lines reach the parent's")
  void outputReachesParent() throws Exception {
    String out = "tck stdout " + UUID.randomUUID();
    String err = "tck stderr " + UUID.randomUUID();
    try (OutputCapture capture = OutputCapture.install()) {
      Worker w = backend().newWorker(() -> {
        System.out.println(out);
        System.err.println(err);
      }, WorkerOptions.defaults()).start();
      assertThat(w.join(patience())).isTrue();
      assertThat(w.exitCode()).hasValue(0);
      assertThat(capture.awaitLine(true, out, patience())).as("line on System.out: %s", out).isTrue();
      assertThat(capture.awaitLine(false, err, patience())).as("line on System.err: %s", err).isTrue();
    }
  }

  @Test
  @DisplayName("a closed backend refuses new pools, queues, events and workers; its queues and events still work")
  void closedBackendRefusesWork() throws Exception {
    Backend backend = backend();
    Queue<String> q = backend.newQueue(0);
    Event e = backend.newEvent();
    Worker unstarted = backend.newWorker(() -> {}, WorkerOptions.defaults());
    backend.close();
    backend.close(); // idempotent
    assertThatIllegalStateException().isThrownBy(() -> backend.newPool(PoolOptions.builder().workers(1).build()));
    assertThatIllegalStateException().isThrownBy(() -> backend.newQueue(0));
    assertThatIllegalStateException().isThrownBy(backend::newEvent);
    assertThatIllegalStateException().isThrownBy(() -> backend.newWorker(() -> {}, WorkerOptions.defaults()));
    assertThatIllegalStateException().as("start() after the backend closed").isThrownBy(unstarted::start);
    assertThat(unstarted.isAlive()).isFalse();
    assertThat(unstarted.exitCode()).isEmpty();
    q.put("still");
    assertThat(q.get()).isEqualTo("still");
    e.set();
    assertThat(e.isSet()).isTrue();
  }

  @Test
  @DisplayName("closing the backend kills its running workers (exit code -9) and terminates its pools")
  void closingBackendEndsWorkersAndPools() throws Exception {
    Backend backend = backend();
    Queue<String> ready = queue();
    Queue<String> never = queue();
    Event go = backend.newEvent();
    Duration hang = patience();
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      workers.add(backend.newWorker(() -> {
        ready.put("worker");
        never.get();
      }, WorkerOptions.builder().daemon(i == 0).build()).start());
    }
    Pool pool = pool(2);
    List<CompletableFuture<String>> futures = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      futures.add(pool.submit(() -> {
        ready.put("task");
        go.await(hang);
        return "released";
      }));
    }
    assertThat(take(ready, 4)).containsExactlyInAnyOrder("worker", "worker", "task", "task");
    backend.close();
    for (Worker w : workers) {
      assertThat(w.join(hang)).as("%s ended", w.name()).isTrue();
      assertThat(w.exitCode()).as("%s exit code", w.name()).hasValue(-9);
    }
    for (CompletableFuture<String> f : futures) {
      assertThatThrownBy(() -> get(f)).isInstanceOf(CancellationException.class);
    }
    assertThatThrownBy(() -> pool.submit(() -> "more")).isInstanceOf(RejectedExecutionException.class);
  }
}
