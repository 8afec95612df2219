package dev.multiproc.tck;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one way tests wait for a condition that nothing signals (a thread's state, a process that
 * exits, output that arrives): poll it with a deadline. Never a sleep as synchronisation.
 */
public final class Await {

  private static final long POLL_NANOS = 1_000_000L;

  private Await() {}

  /**
   * Polls {@code condition} until it holds or {@code patience} has passed.
   *
   * @param condition what to wait for; called repeatedly, from this thread
   * @param patience the longest wait
   * @return true if it held in time, false if not
   */
  public static boolean until(BooleanSupplier condition, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline >= 0) {
        return condition.getAsBoolean();
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
    return true;
  }

  /**
   * As {@link #until(BooleanSupplier, Duration)}, failing the test if the condition never holds.
   *
   * @param condition what to wait for
   * @param patience the longest wait
   * @param what describes the condition, for the failure: "the worker is parked (state RUNNABLE)"
   * @throws AssertionError if it did not hold within {@code patience}
   */
  public static void untilOrFail(BooleanSupplier condition, Duration patience, Supplier<String> what) {
    if (!until(condition, patience)) {
      throw new AssertionError("timed out after " + patience + " waiting until " + what.get());
    }
  }
}
