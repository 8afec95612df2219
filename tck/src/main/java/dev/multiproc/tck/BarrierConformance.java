package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Barrier;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Barrier} contract: arrival indexes, cyclic rounds across workers, timeouts, abort,
 * reset and interruption breaking it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class BarrierConformance extends ConformanceSuite {

  /** For a backend that runs this suite alone: override {@link #provider()}. */
  protected BarrierConformance() {}

  BarrierConformance(ConformanceHooks kit) {
    super(kit);
  }

  @Test
  @DisplayName("a barrier reports its parties; one party passes at once; fewer than one is refused")
  void basics() throws Exception {
    Barrier one = backend().newBarrier(1);
    assertThat(one.parties()).isEqualTo(1);
    assertThat(one.await()).isZero();
    assertThat(one.await(Duration.ZERO)).as("the last party does not wait").isZero();
    assertThat(one.isBroken()).isFalse();
    assertThat(one.waiting()).isZero();
    assertThatIllegalArgumentException().isThrownBy(() -> backend().newBarrier(0));
  }

  @Test
  @DisplayName("parties in workers and the caller meet, round after round, with indexes 0..n-1")
  void acrossWorkers() throws Exception {
    Barrier b = backend().newBarrier(3);
    Queue<Integer> indexes = queue();
    Duration hang = patience();
    int rounds = 3;
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      workers.add(backend().newWorker(() -> {
        for (int r = 0; r < rounds; r++) {
          indexes.put(b.await(hang));
        }
      }, WorkerOptions.defaults()).start());
    }
    for (int r = 0; r < rounds; r++) {
      List<Integer> round = new ArrayList<>();
      round.add(b.await(hang));
      round.addAll(take(indexes, 2));
      assertThat(round).as("round %s", r).containsExactlyInAnyOrder(0, 1, 2);
    }
    for (Worker w : workers) {
      assertThat(w.join(hang)).isTrue();
      assertThat(w.exitCode()).as("%s", w.failure()).hasValue(0);
    }
    assertThat(b.isBroken()).isFalse();
  }

  @Test
  @DisplayName("a timeout throws TimeoutException and breaks the barrier until reset")
  void timeoutBreaks() throws Exception {
    Barrier b = backend().newBarrier(2);
    assertThatThrownBy(() -> b.await(Duration.ofMillis(100))).isInstanceOf(TimeoutException.class);
    assertThat(b.isBroken()).isTrue();
    assertThatThrownBy(b::await).isInstanceOf(BrokenBarrierException.class);
    b.reset();
    assertThat(b.isBroken()).isFalse();
    assertThatThrownBy(() -> b.await(Duration.ZERO)).as("await(0) of a party that is not the last")
        .isInstanceOf(TimeoutException.class);
    b.reset();
    Background<Integer> other = Background.call("barrier-await", () -> b.await(patience()));
    assertThat(b.await(patience()) + other.result(patience())).as("indexes 0 and 1").isEqualTo(1);
  }

  @Test
  @DisplayName("abort and reset break the barrier for the parties waiting at it")
  void abortAndReset() throws Exception {
    Barrier b = backend().newBarrier(3);
    Background<Integer> w1 = Background.call("barrier-await", b::await);
    awaitWaiting(b, 1);
    b.abort();
    assertThat(w1.failure(patience())).isInstanceOf(BrokenBarrierException.class);
    assertThat(b.isBroken()).isTrue();
    assertThatThrownBy(b::await).isInstanceOf(BrokenBarrierException.class);
    b.reset();
    Background<Integer> w2 = Background.call("barrier-await", () -> b.await(patience()));
    awaitWaiting(b, 1);
    b.reset();
    assertThat(w2.failure(patience())).as("a party waiting at reset()").isInstanceOf(BrokenBarrierException.class);
    assertThat(b.isBroken()).as("usable after reset").isFalse();
    assertThat(b.waiting()).isZero();
  }

  @Test
  @DisplayName("an interrupted party throws InterruptedException and breaks the barrier for the others")
  void interruptBreaks() throws Exception {
    Barrier b = backend().newBarrier(3);
    Background<Integer> a = Background.call("barrier-await", b::await);
    Background<Integer> c = Background.call("barrier-await-timeout", () -> b.await(patience()));
    awaitWaiting(b, 2);
    a.interrupt();
    assertThat(a.failure(patience())).isInstanceOf(InterruptedException.class);
    assertThat(c.failure(patience())).isInstanceOf(BrokenBarrierException.class);
    assertThat(b.isBroken()).isTrue();
    b.reset();
    Thread.currentThread().interrupt();
    assertThatThrownBy(b::await).isInstanceOf(InterruptedException.class);
    assertThat(b.isBroken()).as("interrupted on entry").isTrue();
  }

  @Test
  @DisplayName("a worker timing out at the barrier breaks it for the caller")
  void workerTimeoutBreaksForCaller() throws Exception {
    Barrier b = backend().newBarrier(3);
    Queue<String> outcome = queue();
    Worker w = backend().newWorker(() -> {
      try {
        b.await(Duration.ofMillis(300));
        outcome.put("passed");
      } catch (TimeoutException e) {
        outcome.put("timed out");
      }
    }, WorkerOptions.defaults()).start();
    assertThatThrownBy(() -> b.await(patience())).isInstanceOf(BrokenBarrierException.class);
    assertThat(take(outcome)).isEqualTo("timed out");
    assertThat(w.join(patience())).isTrue();
  }

  /** Polls {@link Barrier#waiting()} until it reaches {@code n}, at most {@link #patience()}. */
  private void awaitWaiting(Barrier b, int n) {
    long deadline = System.nanoTime() + patience().toNanos();
    while (b.waiting() < n) {
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError(n + " parties did not reach the barrier within " + patience() + "; waiting: " + b.waiting());
      }
      LockSupport.parkNanos(1_000_000L); // polling a condition with a deadline
    }
  }
}
