package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Event;
import dev.multiproc.Lock;
import dev.multiproc.Queue;
import dev.multiproc.Value;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.spi.BackendConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Locks in shared memory ({@link SlabLock}): what a child sent before a release is there for the
 * next holder, a waiter is handed the lock by a child that takes it in a loop, and an RLock in a
 * child belongs to one of its threads.
 */
@Timeout(120)
class SlabLockIT {

  private static final Duration LONG = Duration.ofSeconds(30);

  private ProcessBackend backend;

  @BeforeEach
  void open() {
    backend = (ProcessBackend) new ProcessBackendProvider().open(BackendConfig.of("process", Map.of()));
  }

  @AfterEach
  void close() {
    backend.close();
  }

  @Test
  void whatAChildPutBeforeItsReleaseIsThereForTheNextHolder() throws Exception {
    Lock lock = backend.newLock();
    assertThat(lock).isInstanceOf(SlabLock.class);
    Queue<Integer> q = backend.newQueue(0);
    Value last = backend.newValue(-1); // shared memory: seen at once, unlike the one-way put
    int n = 20_000;
    Worker w = backend.newWorker(() -> {
      for (int i = 0; i < n; i++) {
        lock.acquire();
        q.put(i);
        last.set(i);
        lock.release();
      }
    }, WorkerOptions.defaults()).start();
    int next = 0;
    while (next < n) {
      assertThat(lock.acquire(LONG)).isTrue();
      long seen = last.get();
      for (Optional<Integer> x; (x = q.tryGet()).isPresent(); next++) {
        assertThat(x.get()).isEqualTo(next);
      }
      assertThat(next - 1L).as("the items put before the child's last release").isGreaterThanOrEqualTo(seen);
      lock.release();
    }
    assertThat(w.join(LONG)).isTrue();
    assertThat(w.exitCode()).hasValue(0);
  }

  /**
   * The child's loop sends a message under the lock (an Event's one-way set), or only touches
   * shared memory: its releases then go through the hub, or are its own compare-and-set.
   */
  @Test
  void aWaiterIsHandedTheLockByAChildThatTakesItInALoop() throws Exception {
    for (int k = 0; k < 3; k++) {
      Lock lock = k == 1 ? backend.newRLock() : backend.newLock();
      boolean quiet = k == 2;
      Value stop = backend.newValue(0);
      Value rounds = backend.newValue(0);
      Event touched = backend.newEvent();
      Worker w = backend.newWorker(() -> {
        while (stop.get() == 0) {
          lock.acquire();
          rounds.addAndGet(1);
          if (!quiet) {
            touched.set();
          }
          lock.release();
        }
      }, WorkerOptions.defaults()).start();
      long deadline = System.nanoTime() + LONG.toNanos();
      while (rounds.get() < 1_000 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(1_000_000L); // polling a condition with a deadline
      }
      assertThat(rounds.get()).as("the child took the lock in its loop").isGreaterThanOrEqualTo(1_000);
      for (int i = 0; i < 200; i++) {
        assertThat(lock.acquire(LONG)).as("acquire %d of %s", i, lock).isTrue();
        long during = rounds.get();
        assertThat(rounds.get()).as("nobody else holds it meanwhile").isEqualTo(during);
        lock.release();
      }
      stop.set(1);
      assertThat(w.join(LONG)).isTrue();
      assertThat(w.exitCode()).as("%s", w.failure()).hasValue(0);
    }
  }

  @Test
  void anRLockInAChildIsHeldByOneOfItsThreads() throws Exception {
    Lock r = backend.newRLock();
    Queue<String> seen = backend.newQueue(0);
    Worker w = backend.newWorker(() -> {
      r.acquire();
      assertThat(r.tryAcquire()).isTrue();
      List<String> other = new ArrayList<>();
      Thread t = new Thread(() -> {
        other.add(r.tryAcquire() ? "taken" : "refused");
        try {
          r.release();
          other.add("released");
        } catch (IllegalStateException e) {
          other.add("not the holder");
        }
      });
      t.start();
      t.join();
      r.release();
      r.release();
      Thread after = new Thread(() -> {
        other.add(r.tryAcquire() ? "taken" : "refused");
        r.release();
      });
      after.start();
      after.join();
      seen.put(String.join(",", other));
    }, WorkerOptions.defaults()).start();
    assertThat(seen.get(LONG)).contains("refused,not the holder,taken");
    assertThat(w.join(LONG)).isTrue();
    assertThat(w.exitCode()).as("%s", w.failure()).hasValue(0);
    assertThat(r.tryAcquire()).as("free after the child's releases").isTrue();
    r.release();
  }
}
