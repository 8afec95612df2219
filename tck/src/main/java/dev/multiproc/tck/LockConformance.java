package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Event;
import dev.multiproc.Lock;
import dev.multiproc.Pool;
import dev.multiproc.Queue;
import dev.multiproc.Value;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Lock} contract for both kinds: a Lock (not reentrant, released by anyone, an unlocked
 * release refused) and an RLock (reentrant, released only by its holder); blocking, timeouts,
 * interruption, {@code hold()}, and workers contending for one lock with exact counts.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class LockConformance extends ConformanceSuite {

  /** For a backend that runs this suite alone: override {@link #provider()}. */
  protected LockConformance() {}

  LockConformance(ConformanceHooks kit) {
    super(kit);
  }

  @Test
  @DisplayName("a Lock is not reentrant; tryAcquire and acquire(timeout) fail while it is held")
  void lockBasics() throws InterruptedException {
    Lock lock = backend().newLock();
    assertThat(lock.tryAcquire()).isTrue();
    assertThat(lock.tryAcquire()).as("tryAcquire by the holder: a Lock is not reentrant").isFalse();
    assertThat(lock.acquire(Duration.ofMillis(100))).isFalse();
    assertThat(lock.acquire(Duration.ZERO)).isFalse();
    assertThat(lock.acquire(Duration.ofMillis(-5))).isFalse();
    lock.release();
    assertThat(lock.acquire(Duration.ZERO)).as("acquire(0) of a free lock").isTrue();
    lock.release();
    lock.acquire();
    lock.release();
    assertThatNullPointerException().isThrownBy(() -> lock.acquire(null));
  }

  @Test
  @DisplayName("releasing an unlocked Lock throws IllegalStateException")
  void unlockedRelease() {
    Lock lock = backend().newLock();
    assertThatIllegalStateException().isThrownBy(lock::release);
    assertThat(lock.tryAcquire()).isTrue();
    lock.release();
    assertThatIllegalStateException().as("a second release").isThrownBy(lock::release);
  }

  @Test
  @DisplayName("any thread may release a Lock; acquire blocks until it does")
  void lockBlocksUntilReleasedByAnyone() throws Exception {
    Lock lock = backend().newLock();
    lock.acquire();
    Background<Void> waiter = Background.run("lock-acquire", lock::acquire);
    assertThat(waiter.stillRunningAfter(STILL_BLOCKED)).as("acquire blocks while the lock is held").isTrue();
    Background.run("lock-release", lock::release).result(patience());
    waiter.result(patience());
    assertThat(lock.tryAcquire()).as("the waiter holds it now").isFalse();
    lock.release();
  }

  @Test
  @DisplayName("hold() acquires and its close() releases once, for try-with-resources")
  void holdReleases() throws InterruptedException {
    Lock lock = backend().newLock();
    try (Lock.Held h = lock.hold()) {
      assertThat(lock.tryAcquire()).isFalse();
      h.close();
      assertThat(lock.tryAcquire()).as("released by close()").isTrue();
      lock.release();
    }
    assertThat(lock.tryAcquire()).as("a second close() released nothing more and threw nothing").isTrue();
    lock.release();
  }

  @Test
  @DisplayName("an interrupted acquire throws InterruptedException and does not take the lock")
  void interruptedAcquire() throws Exception {
    for (Lock lock : List.of(backend().newLock(), backend().newRLock())) {
      Thread.currentThread().interrupt();
      assertThatThrownBy(lock::acquire).isInstanceOf(InterruptedException.class);
      Thread.currentThread().interrupt();
      assertThatThrownBy(() -> lock.acquire(Duration.ofSeconds(5))).isInstanceOf(InterruptedException.class);
      Thread.currentThread().interrupt();
      assertThatThrownBy(lock::hold).isInstanceOf(InterruptedException.class);
      assertThat(Thread.interrupted()).as("the flag is cleared by the throw").isFalse();
      assertThat(lock.tryAcquire()).as("not taken by the interrupted calls").isTrue();

      Background<Void> untimed = Background.run("lock-acquire", lock::acquire);
      untimed.awaitParked(patience());
      untimed.interrupt();
      assertThat(untimed.failure(patience())).isInstanceOf(InterruptedException.class);
      Background<Boolean> timed = Background.call("lock-acquire-timeout", () -> lock.acquire(patience()));
      timed.awaitParked(patience());
      timed.interrupt();
      assertThat(timed.failure(patience())).isInstanceOf(InterruptedException.class);
      lock.release();
      Background<Boolean> other = Background.call("lock-try", lock::tryAcquire);
      assertThat(other.result(patience())).as("free again: the interrupted waiters took nothing").isTrue();
    }
  }

  @Test
  @DisplayName("an RLock is reentrant and free after as many releases as acquires")
  void rlockReentrant() throws Exception {
    Lock r = backend().newRLock();
    r.acquire();
    assertThat(r.tryAcquire()).isTrue();
    assertThat(r.acquire(Duration.ZERO)).isTrue();
    try (Lock.Held h = r.hold()) {
      assertThat(Background.call("rlock-try", r::tryAcquire).result(patience())).as("another thread").isFalse();
    }
    r.release();
    r.release();
    assertThat(Background.call("rlock-try", r::tryAcquire).result(patience())).as("still held once").isFalse();
    r.release();
    assertThatIllegalStateException().as("release of a free RLock").isThrownBy(r::release);
    Background<Boolean> other = Background.call("rlock-try", r::tryAcquire);
    assertThat(other.result(patience())).as("free after the last release").isTrue();
  }

  @Test
  @DisplayName("only the holder may release an RLock")
  void rlockNonHolderRelease() throws Exception {
    Lock r = backend().newRLock();
    r.acquire();
    assertThat(Background.run("rlock-release", r::release).failure(patience()))
        .as("release by a thread that does not hold it").isInstanceOf(IllegalStateException.class);
    assertThat(Background.call("rlock-try", r::tryAcquire).result(patience())).as("still held").isFalse();
    r.release();
  }

  @Test
  @DisplayName("a blocked RLock acquire returns when the holder releases the last hold")
  void rlockBlocks() throws Exception {
    Lock r = backend().newRLock();
    r.acquire();
    r.acquire();
    Background<Boolean> waiter = Background.call("rlock-acquire", () -> {
      r.acquire();
      r.release();
      return true;
    });
    assertThat(waiter.stillRunningAfter(STILL_BLOCKED)).isTrue();
    r.release();
    assertThat(waiter.stillRunningAfter(STILL_BLOCKED)).as("still held once").isTrue();
    r.release();
    assertThat(waiter.result(patience())).isTrue();
  }

  @Test
  @DisplayName("workers holding a lock around read-modify-write lose no update")
  void workersContendForOneLock() throws Exception {
    int n = 200 * scale();
    for (Lock lock : List.of(backend().newLock(), backend().newRLock())) {
      Value counter = backend().newValue(0);
      try (Pool pool = pool(2)) {
        List<Long> seen = pool.map(i -> {
          try (Lock.Held h = lock.hold()) {
            long v = counter.get();
            counter.set(v + 1); // not atomic: only the lock makes it safe
            return v;
          }
        }, range(0, n), 1);
        assertThat(seen).as("every increment saw a distinct value").doesNotHaveDuplicates();
      }
      assertThat(counter.get()).as("increments under %s", lock).isEqualTo(n);
      assertThat(lock.tryAcquire()).as("free at the end").isTrue();
      lock.release();
    }
  }

  @Test
  @DisplayName("a lock held by a worker keeps the caller out until the worker releases it")
  void lockHeldByAWorker() throws Exception {
    for (boolean reentrant : new boolean[] {false, true}) {
      Lock lock = reentrant ? backend().newRLock() : backend().newLock();
      Queue<String> held = queue();
      Event release = backend().newEvent();
      Duration hang = patience();
      Worker w = backend().newWorker(() -> {
        lock.acquire();
        if (reentrant) {
          lock.acquire(); // an RLock: the holder again
          lock.release();
        }
        held.put("held");
        release.await(hang);
        lock.release();
      }, WorkerOptions.builder().name("holder").build()).start();
      assertThat(take(held)).isEqualTo("held");
      assertThat(lock.tryAcquire()).as("held by the worker").isFalse();
      if (reentrant) {
        assertThatIllegalStateException().as("the caller does not hold the worker's RLock").isThrownBy(lock::release);
      }
      Background<Boolean> waiter = Background.call("lock-acquire", () -> lock.acquire(patience()));
      assertThat(waiter.stillRunningAfter(STILL_BLOCKED)).isTrue();
      release.set();
      assertThat(waiter.result(patience())).as("acquired once the worker released it").isTrue();
      assertThat(w.join(hang)).isTrue();
      assertThat(w.exitCode()).hasValue(0);
    }
  }

  @Test
  @DisplayName("two workers incrementing under one lock count exactly")
  void twoWorkersExactCount() throws Exception {
    Lock lock = backend().newLock();
    Value counter = backend().newValue(0);
    int each = 100 * scale();
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      workers.add(backend().newWorker(() -> {
        for (int k = 0; k < each; k++) {
          lock.acquire();
          try {
            counter.set(counter.get() + 1);
          } finally {
            lock.release();
          }
        }
      }, WorkerOptions.defaults()).start());
    }
    for (Worker w : workers) {
      assertThat(w.join(patience())).isTrue();
      assertThat(w.exitCode()).as("%s", w.failure()).hasValue(0);
    }
    assertThat(counter.get()).isEqualTo(2L * each);
  }
}
