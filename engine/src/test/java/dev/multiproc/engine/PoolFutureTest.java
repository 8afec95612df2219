package dev.multiproc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pool's future waits as a {@code CompletableFuture} does, and tells a thread waiting on it (and
 * its own cancellation hook) from a stage of the user's, which must not run on a pool's thread.
 */
@Timeout(30)
class PoolFutureTest {

  /** Starts a thread that waits in {@code get()}, and returns once it is blocked there. */
  private static Thread waiter(PoolFuture<String> f, AtomicReference<Object> outcome) throws InterruptedException {
    Thread t = new Thread(() -> {
      try {
        outcome.set(f.get());
      } catch (Exception e) {
        outcome.set(e);
      }
    });
    t.start();
    while (t.getState() != Thread.State.WAITING) {
      assertThat(t.isAlive()).isTrue();
      Thread.onSpinWait();
    }
    return t;
  }

  @Test
  void threadsWaitingInGetAndTheCancelHookAreNotStagesOfTheUser() throws Exception {
    PoolFuture<String> f = new PoolFuture<>();
    AtomicBoolean hookRan = new AtomicBoolean();
    f.onCancel(() -> hookRan.set(true));
    AtomicReference<Object> first = new AtomicReference<>();
    AtomicReference<Object> second = new AtomicReference<>();
    Thread a = waiter(f, first);
    Thread b = waiter(f, second);
    assertThat(f.getNumberOfDependents()).as("the hook, the latch").isGreaterThanOrEqualTo(2);
    assertThat(f.onlyOwnDependents()).isTrue();

    f.complete("done");
    a.join();
    b.join();
    assertThat(first.get()).isEqualTo("done");
    assertThat(second.get()).isEqualTo("done");
    assertThat(hookRan).as("not cancelled").isFalse();
  }

  @Test
  void aStageOfTheUserIsSeen() {
    PoolFuture<String> f = new PoolFuture<>();
    f.onCancel(() -> {});
    assertThat(f.onlyOwnDependents()).isTrue();
    f.thenApply(String::length);
    assertThat(f.onlyOwnDependents()).isFalse();
  }

  @Test
  void cancellingWakesTheWaitersAndRunsTheHook() throws Exception {
    PoolFuture<String> f = new PoolFuture<>();
    CountDownLatch hook = new CountDownLatch(1);
    f.onCancel(hook::countDown);
    AtomicReference<Object> outcome = new AtomicReference<>();
    Thread t = waiter(f, outcome);
    assertThat(f.cancel(true)).isTrue();
    t.join();
    assertThat(outcome.get()).isInstanceOf(CancellationException.class);
    assertThat(hook.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aTimedGetTimesOutAndAFailureIsThrownAsCompletableFutureThrowsIt() {
    PoolFuture<String> f = new PoolFuture<>();
    assertThatThrownBy(() -> f.get(10, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    IllegalStateException boom = new IllegalStateException("boom");
    f.completeExceptionally(boom);
    assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).hasCause(boom);
    assertThatThrownBy(f::join).isInstanceOf(CompletionException.class).hasCause(boom);
  }

  @Test
  void anInterruptedGetThrowsAndAnInterruptedJoinWaitsOnKeepingTheInterrupt() throws Exception {
    PoolFuture<String> f = new PoolFuture<>();
    AtomicReference<Object> got = new AtomicReference<>();
    Thread getter = waiter(f, got);
    getter.interrupt();
    getter.join();
    assertThat(got.get()).isInstanceOf(InterruptedException.class);

    AtomicReference<Object> joined = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    Thread joiner = new Thread(() -> {
      joined.set(f.join());
      stillInterrupted.set(Thread.currentThread().isInterrupted());
    });
    joiner.start();
    while (joiner.getState() != Thread.State.WAITING) {
      assertThat(joiner.isAlive()).isTrue();
      Thread.onSpinWait();
    }
    joiner.interrupt();
    f.complete("late");
    joiner.join();
    assertThat(joined.get()).isEqualTo("late");
    assertThat(stillInterrupted).isTrue();
  }
}
