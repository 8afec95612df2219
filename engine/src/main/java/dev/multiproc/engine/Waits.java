package dev.multiproc.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the engine's primitives wait: a {@link Duration} as nanoseconds, where
 * {@link #FOREVER} means no limit and zero or less means do not wait.
 *
 * <p>Internal: shared by the backends, no compatibility promise.
 */
public final class Waits {

  /** Wait as long as it takes. */
  public static final long FOREVER = Long.MAX_VALUE;

  private Waits() {}

  /**
   * @param timeout a timeout
   * @return its nanoseconds, saturated below {@link #FOREVER} (a timeout of centuries is not "forever")
   * @throws NullPointerException if {@code timeout} is null
   */
  public static long nanos(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    try {
      return Math.min(timeout.toNanos(), FOREVER - 1);
    } catch (ArithmeticException e) {
      return timeout.isNegative() ? 0 : FOREVER - 1;
    }
  }
}
