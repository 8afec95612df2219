package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A call made on a thread of the test's own (in the test JVM), to observe blocking, interruption
 * and calls that only return when something else happens. The thread is a daemon named
 * {@code tck-<name>}; a test joins it before it ends.
 *
 * @param <T> the call's result
 */
final class Background<T> {

  private final Thread thread;
  private final CompletableFuture<Outcome<T>> outcome = new CompletableFuture<>();

  /** What the call returned or threw (kept apart from the future's own exceptional completion). */
  private record Outcome<T>(T value, Throwable thrown) {}

  private Background(String name, Callable<T> call) {
    thread = Thread.ofPlatform().name("tck-" + name).daemon(true).unstarted(() -> {
      try {
        outcome.complete(new Outcome<>(call.call(), null));
      } catch (Throwable t) {
        outcome.complete(new Outcome<>(null, t));
      }
    });
  }

  /** Starts {@code call} on a new thread. */
  static <T> Background<T> call(String name, Callable<T> call) {
    Background<T> b = new Background<>(name, call);
    b.thread.start();
    return b;
  }

  /** Starts {@code run} on a new thread. */
  static Background<Void> run(String name, ThrowingRunnable run) {
    return call(name, () -> {
      run.run();
      return null;
    });
  }

  /** A body that may throw. */
  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** @return the thread */
  Thread thread() {
    return thread;
  }

  /** Interrupts the thread. */
  void interrupt() {
    thread.interrupt();
  }

  /**
   * @param wait how long to wait
   * @return true if the call is still running after {@code wait} (a bounded "still blocked" check)
   */
  boolean stillRunningAfter(Duration wait) throws InterruptedException {
    return await(wait) == null;
  }

  /** @return true once the call has returned or thrown */
  boolean isDone() {
    return outcome.isDone();
  }

  /**
   * Waits until the thread is parked (WAITING or TIMED_WAITING), that is, most likely blocked in
   * the call under test, or until the call ended; at most {@code patience}.
   */
  void awaitParked(Duration patience) {
    Await.untilOrFail(() -> {
      Thread.State s = thread.getState();
      return outcome.isDone() || s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }, patience, () -> "thread " + thread.getName() + " blocks (state " + thread.getState() + ")");
  }

  /**
   * Waits for the call to return and gives its result.
   *
   * @throws AssertionError if it threw or did not end within {@code patience}
   */
  T result(Duration patience) throws InterruptedException {
    Outcome<T> o = await(patience);
    if (o == null) {
      throw new AssertionError(thread.getName() + " did not return within " + patience);
    }
    if (o.thrown() != null) {
      throw new AssertionError(thread.getName() + " threw " + o.thrown(), o.thrown());
    }
    join(patience);
    return o.value();
  }

  /**
   * Waits for the call to throw and gives what it threw.
   *
   * @throws AssertionError if it returned or did not end within {@code patience}
   */
  Throwable failure(Duration patience) throws InterruptedException {
    Outcome<T> o = await(patience);
    if (o == null) {
      throw new AssertionError(thread.getName() + " did not end within " + patience);
    }
    if (o.thrown() == null) {
      throw new AssertionError(thread.getName() + " returned " + o.value() + " but was expected to throw");
    }
    join(patience);
    return o.thrown();
  }

  /** @return the outcome, or null if the call is still running after {@code wait} */
  private Outcome<T> await(Duration wait) throws InterruptedException {
    try {
      return outcome.get(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return null;
    } catch (ExecutionException e) {
      throw new AssertionError(e); // never: the outcome is always completed normally
    }
  }

  private void join(Duration patience) throws InterruptedException {
    assertThat(thread.join(patience)).as("%s ended", thread.getName()).isTrue();
  }
}
