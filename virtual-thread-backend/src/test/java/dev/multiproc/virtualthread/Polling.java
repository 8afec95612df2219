package dev.multiproc.virtualthread;

import dev.multiproc.tck.Await;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition that nothing signals (such as a thread's state), with a deadline. */
final class Polling {

  private Polling() {}

  static void until(BooleanSupplier condition, Duration timeout, Supplier<String> what) {
    Await.untilOrFail(condition, timeout, what);
  }

  /**
   * Waits until each of {@code threads} has been published and is {@code WAITING}, that is, parked
   * in whatever blocking call it made.
   */
  static void untilAllWaiting(AtomicReferenceArray<Thread> threads, Duration timeout) {
    int[] next = {0};
    until(() -> {
      while (next[0] < threads.length()) {
        Thread t = threads.get(next[0]);
        if (t == null || t.getState() != Thread.State.WAITING) {
          return false;
        }
        next[0]++;
      }
      return true;
    }, timeout, () -> "all " + threads.length() + " threads are parked (" + next[0] + " are)");
  }
}
