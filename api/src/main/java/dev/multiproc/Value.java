package dev.multiproc;

/**
 * A shared {@code long}: Python's {@code multiprocessing.Value('q', 0)}, made by
 * {@link Multiproc#value(long)}. Every operation is atomic on its own (unlike Python's
 * {@code value.value += 1}, {@link #addAndGet(long)} needs no lock); a sequence of operations is
 * not, so guard one with a {@link Lock} or use {@link #compareAndSet(long, long)}.
 *
 * <p>A task may capture the value and use it inside any worker of the backend that made it; on the
 * process backend it lives in the parent JVM and each call is one round trip over the child's
 * pipe. No method blocks for long.
 *
 * <h2>Memory consistency</h2>
 *
 * As a {@code volatile} variable: a write (set, add, successful compare-and-set) happens-before
 * every later read that sees it.
 */
public interface Value {

  /**
   * Reads the value.
   *
   * @return the current value
   */
  long get();

  /**
   * Sets the value.
   *
   * @param value the new value
   */
  void set(long value);

  /**
   * Adds atomically.
   *
   * @param delta what to add
   * @return the value after adding
   */
  long addAndGet(long delta);

  /**
   * Adds atomically.
   *
   * @param delta what to add
   * @return the value before adding
   */
  long getAndAdd(long delta);

  /**
   * Sets the value to {@code newValue} if it is {@code expected}, atomically.
   *
   * @param expected the value expected now
   * @param newValue the new value
   * @return true if set, false if the value was not {@code expected}
   */
  boolean compareAndSet(long expected, long newValue);
}
