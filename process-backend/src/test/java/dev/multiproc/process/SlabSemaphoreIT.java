package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Event;
import dev.multiproc.Queue;
import dev.multiproc.Semaphore;
import dev.multiproc.Value;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Semaphores in shared memory ({@link SlabSemaphore}): one permit keeps read-modify-writes apart
 * across children and keeps the order of what a child sent before its release; a permit the parent
 * handed a waiting child comes back when the child is killed; a child's over-release of a bounded
 * semaphore throws there.
 */
@Timeout(120)
class SlabSemaphoreIT extends WithProcessBackend {

  @Test
  void onePermitKeepsChildrenApartAndTheirPutsInOrder() throws Exception {
    Semaphore mutex = backend.newBoundedSemaphore(1);
    assertThat(mutex).isInstanceOf(SlabSemaphore.class);
    Value counter = backend.newValue(0);
    Queue<Long> seen = backend.newQueue(0);
    int n = 2_000;
    List<Worker> workers = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      workers.add(backend.newWorker(() -> {
        for (int i = 0; i < n; i++) {
          mutex.acquire();
          long v = counter.get();
          counter.set(v + 1); // not atomic: only the permit makes it safe
          seen.put(v); // one-way: there before the release, for the next holder
          mutex.release();
        }
      }, WorkerOptions.defaults()).start());
    }
    long expected = 0;
    long deadline = System.nanoTime() + LONG.toNanos();
    while (expected < 3L * n) {
      while (!mutex.tryAcquire()) { // not waiting in the parent: the children release with their own compare-and-set
        assertThat(System.nanoTime()).as("a permit within %s", LONG).isLessThan(deadline);
        Thread.onSpinWait();
      }
      long value = counter.get();
      for (Optional<Long> v; (v = seen.tryGet()).isPresent(); expected++) {
        assertThat(v.get()).as("the values, in the order they were read").isEqualTo(expected);
      }
      assertThat(expected).as("every put made before the last release is there").isEqualTo(value);
      mutex.release();
    }
    for (Worker w : workers) {
      assertThat(w.join(LONG)).isTrue();
      assertThat(w.exitCode()).as("%s", w.failure()).hasValue(0);
    }
    assertThat(mutex.available()).isEqualTo(1);
  }

  @Test
  void aPermitHandedToAWaitingChildComesBackWhenItIsKilled() throws Exception {
    Semaphore s = backend.newBoundedSemaphore(1);
    s.acquire();
    Event got = backend.newEvent();
    Worker w = backend.newWorker(() -> {
      s.acquire(); // waits in the parent, which hands it the permit
      got.set();
      Thread.sleep(Long.MAX_VALUE); // holds it until killed
    }, WorkerOptions.defaults()).start();
    long deadline = System.nanoTime() + LONG.toNanos();
    while (((SlabSemaphore) s).waiting() == 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000L); // polling a condition with a deadline
    }
    s.release();
    assertThat(got.await(LONG)).isTrue();
    assertThat(s.available()).isZero();
    w.kill();
    assertThat(w.join(LONG)).isTrue();
    deadline = System.nanoTime() + LONG.toNanos();
    while (s.available() == 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000L); // polling a condition with a deadline
    }
    assertThat(s.available()).as("given back").isEqualTo(1);
  }

  @Test
  void aChildsOverReleaseOfABoundedSemaphoreThrowsThere() throws Exception {
    Semaphore s = backend.newBoundedSemaphore(2);
    Queue<String> outcome = backend.newQueue(0);
    Worker w = backend.newWorker(() -> {
      s.acquire();
      s.release();
      try {
        s.release();
        outcome.put("released beyond the bound");
      } catch (IllegalStateException e) {
        outcome.put("refused");
      }
    }, WorkerOptions.defaults()).start();
    assertThat(outcome.get(LONG)).contains("refused");
    assertThat(w.join(LONG)).isTrue();
    assertThat(s.available()).isEqualTo(2);
  }
}
