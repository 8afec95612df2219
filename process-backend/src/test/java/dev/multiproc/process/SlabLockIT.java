package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Event;
import dev.multiproc.Lock;
import dev.multiproc.Queue;
import dev.multiproc.Value;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Locks in shared memory ({@link SlabLock}): what a child sent before a release is there for the
 * next holder, a waiter is handed the lock by a child that takes it in a loop, and an RLock in a
 * child belongs to one of its threads.
 */
@Timeout(120)
class SlabLockIT extends WithProcessBackend {

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

  /**
   * Three children and two threads here take one lock (or RLock) for a read-modify-write of a
   * shared value, some with timeouts; one child is killed while the others go on. Every value a
   * holder read is distinct (no two held it at once), and the lock ends free.
   */
  @Test
  void contendersLoseNoUpdateAndAKilledOneFreesTheLock() throws Exception {
    for (boolean reentrant : new boolean[] {false, true}) {
      Lock lock = reentrant ? backend.newRLock() : backend.newLock();
      Value counter = backend.newValue(0);
      Queue<long[]> seen = backend.newQueue(0);
      int n = 3_000;
      List<Worker> workers = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        int child = c;
        workers.add(backend.newWorker(() -> {
          long[] mine = new long[n];
          int k = 0;
          while (k < n) {
            boolean got = child == 1 ? lock.acquire(Duration.ofMillis(1)) : lock.tryAcquire() || lock.acquire(LONG);
            if (!got) {
              continue;
            }
            long v = counter.get();
            counter.set(v + 1); // not atomic: only the lock makes it safe
            mine[k++] = v;
            lock.release();
          }
          seen.put(java.util.Arrays.copyOf(mine, k));
        }, WorkerOptions.defaults()).start());
      }
      Worker victim = backend.newWorker(() -> {
        while (true) {
          lock.acquire();
          counter.set(counter.get() + 1);
          lock.release();
        }
      }, WorkerOptions.defaults()).start();
      List<Long> here = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Thread th = new Thread(() -> {
          try {
            for (int i = 0; i < n; i++) {
              assertThat(lock.acquire(LONG)).isTrue();
              long v = counter.get();
              counter.set(v + 1);
              here.add(v);
              lock.release();
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        th.start();
        threads.add(th);
      }
      long deadline = System.nanoTime() + LONG.toNanos();
      while (counter.get() < 2_000 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(1_000_000L); // polling a condition with a deadline
      }
      victim.kill();
      assertThat(victim.join(LONG)).isTrue();
      for (Thread th : threads) {
        th.join(LONG.toMillis());
        assertThat(th.isAlive()).as("a thread here finished its %d increments", n).isFalse();
      }
      List<Long> all = new ArrayList<>(here);
      for (int c = 0; c < 3; c++) {
        for (long v : seen.get(LONG).orElseThrow()) {
          all.add(v);
        }
      }
      for (Worker w : workers) {
        assertThat(w.join(LONG)).isTrue();
        assertThat(w.exitCode()).as("%s", w.failure()).hasValue(0);
      }
      assertThat(here).hasSize(2 * n);
      assertThat(all).as("values read under %s", lock).doesNotHaveDuplicates();
      assertThat(lock.tryAcquire()).as("free at the end: %s", lock).isTrue();
      lock.release();
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
