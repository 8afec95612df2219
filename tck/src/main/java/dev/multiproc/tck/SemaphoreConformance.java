package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Lock;
import dev.multiproc.Pool;
import dev.multiproc.Semaphore;
import dev.multiproc.Value;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Semaphore} contract: permit counting, plain and bounded release, blocking, timeouts,
 * interruption, {@code hold()}, and a semaphore capping how many workers run a section at once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class SemaphoreConformance extends ConformanceSuite {

  /** For a backend that runs this suite alone: override {@link #provider()}. */
  protected SemaphoreConformance() {}

  SemaphoreConformance(ConformanceHooks kit) {
    super(kit);
  }

  @Test
  @DisplayName("permits are counted; a plain semaphore may be released beyond its initial count")
  void counting() throws InterruptedException {
    Semaphore s = backend().newSemaphore(2);
    assertThat(s.available()).isEqualTo(2);
    assertThat(s.tryAcquire()).isTrue();
    s.acquire();
    assertThat(s.available()).isZero();
    assertThat(s.tryAcquire()).isFalse();
    assertThat(s.acquire(Duration.ofMillis(100))).isFalse();
    assertThat(s.acquire(Duration.ZERO)).isFalse();
    s.release();
    s.release();
    s.release();
    assertThat(s.available()).as("released three times from zero").isEqualTo(3);
    Semaphore none = backend().newSemaphore(0);
    assertThat(none.tryAcquire()).isFalse();
    assertThatIllegalArgumentException().isThrownBy(() -> backend().newSemaphore(-1));
    assertThatIllegalArgumentException().isThrownBy(() -> backend().newBoundedSemaphore(-1));
  }

  @Test
  @DisplayName("a bounded semaphore refuses a release beyond its initial count")
  void boundedOverRelease() throws InterruptedException {
    Semaphore s = backend().newBoundedSemaphore(2);
    assertThatIllegalStateException().isThrownBy(s::release);
    assertThat(s.available()).isEqualTo(2);
    s.acquire();
    s.release();
    assertThatIllegalStateException().as("released more than acquired").isThrownBy(s::release);
    assertThat(s.available()).isEqualTo(2);
    try (Lock.Held h = s.hold()) {
      assertThat(s.available()).isEqualTo(1);
    }
    assertThat(s.available()).isEqualTo(2);
  }

  @Test
  @DisplayName("acquire blocks while there is no permit and returns when one is released")
  void acquireBlocksUntilRelease() throws Exception {
    Semaphore s = backend().newSemaphore(0);
    Background<Void> waiter = Background.run("sem-acquire", s::acquire);
    assertThat(waiter.stillRunningAfter(STILL_BLOCKED)).isTrue();
    Background<Boolean> timed = Background.call("sem-acquire-timeout", () -> s.acquire(patience()));
    timed.awaitParked(patience());
    s.release();
    s.release();
    waiter.result(patience());
    assertThat(timed.result(patience())).isTrue();
    assertThat(s.available()).isZero();
  }

  @Test
  @DisplayName("an interrupted acquire throws InterruptedException and takes no permit")
  void interruptedAcquire() throws Exception {
    Semaphore s = backend().newSemaphore(1);
    Thread.currentThread().interrupt();
    assertThatThrownBy(s::acquire).isInstanceOf(InterruptedException.class);
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> s.acquire(Duration.ofSeconds(1))).isInstanceOf(InterruptedException.class);
    assertThat(s.available()).isEqualTo(1);
    s.acquire();
    Background<Void> waiter = Background.run("sem-acquire", s::acquire);
    waiter.awaitParked(patience());
    waiter.interrupt();
    assertThat(waiter.failure(patience())).isInstanceOf(InterruptedException.class);
    s.release();
    assertThat(s.available()).as("the interrupted waiter took nothing").isEqualTo(1);
  }

  @Test
  @DisplayName("a semaphore of one lets one worker at a time into a section, counts exact")
  void capsConcurrencyAcrossWorkers() throws Exception {
    Semaphore s = backend().newBoundedSemaphore(1);
    Value inside = backend().newValue(0);
    Value most = backend().newValue(0);
    Value done = backend().newValue(0);
    int n = 60 * scale();
    try (Pool pool = pool(2)) {
      pool.map(i -> {
        try (Lock.Held h = s.hold()) {
          long now = inside.addAndGet(1);
          for (long m = most.get(); now > m && !most.compareAndSet(m, now); m = most.get()) {
            // raise the maximum seen
          }
          simulateWork(i % 3);
          done.addAndGet(1);
          inside.addAndGet(-1);
        }
        return i;
      }, range(0, n), 1);
    }
    assertThat(most.get()).as("most workers inside at once").isEqualTo(1);
    assertThat(done.get()).isEqualTo(n);
    assertThat(s.available()).isEqualTo(1);
  }

  @Test
  @DisplayName("a permit released by a worker wakes a caller blocked in acquire")
  void releasedByWorker() throws Exception {
    Semaphore s = backend().newSemaphore(0);
    Background<Boolean> waiter = Background.call("sem-acquire", () -> s.acquire(patience()));
    waiter.awaitParked(patience());
    try (Pool pool = pool(1)) {
      get(pool.submit(() -> {
        s.release();
        return null;
      }));
    }
    assertThat(waiter.result(patience())).isTrue();
  }
}
