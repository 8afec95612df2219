package dev.multiproc;

import java.time.Duration;

/**
 * A flag that workers wait on: Python's {@code threading.Event} / {@code multiprocessing.Event}.
 * It starts cleared; {@link #set()} wakes every waiter; {@link #clear()} makes later waits block
 * again.
 *
 * <p>A task may capture the event and use it inside any worker of the backend that made it.
 *
 * <h2>Memory consistency</h2>
 *
 * Actions in a thread before {@code set()} happen-before the actions that follow an
 * {@code await} or {@code isSet()} that observes the event set.
 */
public interface Event {

  /**
   * Sets the flag and wakes every thread waiting in {@link #await()}: each of them returns (and
   * {@link #await(Duration)} returns true) even if {@link #clear()} follows before it runs, as
   * with Python's {@code threading.Event}. Idempotent.
   */
  void set();

  /** Clears the flag; later {@link #await()} calls block until the next {@link #set()}. */
  void clear();

  /**
   * Reports the flag.
   *
   * @return true if the event is set
   */
  boolean isSet();

  /**
   * Waits until the event is set; returns at once if it already is.
   *
   * @throws InterruptedException if the thread is interrupted on entry (even if the event is set)
   *     or while waiting
   */
  void await() throws InterruptedException;

  /**
   * Waits up to {@code timeout} until the event is set: Python's {@code event.wait(timeout)}.
   *
   * @param timeout how long to wait; zero or negative means do not wait
   * @return true if the event is set (or was set while this call waited), false if the time ran
   *     out first
   * @throws InterruptedException if the thread is interrupted on entry or while waiting
   * @throws NullPointerException if {@code timeout} is null
   */
  boolean await(Duration timeout) throws InterruptedException;
}
