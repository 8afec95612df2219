package dev.multiproc;

import java.time.Duration;

/**
 * A counting semaphore that workers of the same backend share: Python's {@code Semaphore(n)}
 * ({@link Multiproc#semaphore(int)}) or {@code BoundedSemaphore(n)}
 * ({@link Multiproc#boundedSemaphore(int)}). It holds a number of permits; {@link #acquire()}
 * takes one, waiting while there is none, and {@link #release()} gives one back.
 *
 * <h2>Usage</h2>
 *
 * <pre>{@code
 * Semaphore downloads = Multiproc.semaphore(3);      // at most 3 at a time
 * pool.map(url -> {
 *   try (Lock.Held h = downloads.hold()) { return fetch(url); }
 * }, urls);
 * }</pre>
 *
 * <p>Any thread or worker may release, not only one that acquired. A plain semaphore may be
 * released beyond its initial count (the count grows); a bounded one refuses that with
 * {@link IllegalStateException}. Not fair: which waiter gets a released permit is unspecified.
 *
 * <p>On the process backend the permits live in shared memory that the parent and its children
 * map, as Python's semaphore does: taking a permit that is there, or giving one back, asks no other
 * process; an acquire that must wait waits in the parent JVM. When a child process dies, the
 * parent gives back the permits it had acquired and not released (logged at DEBUG). A release by
 * a worker that holds no permit counts against the permits of some other holder, so that the
 * permits given back for a dead child are never more than it still had.
 *
 * <h2>Interruption</h2>
 *
 * The waiting methods throw {@link InterruptedException} if the calling thread is interrupted on
 * entry or while waiting; no permit is then taken.
 *
 * <h2>Memory consistency</h2>
 *
 * Actions before a {@code release()} happen-before the actions after an acquire that takes a
 * permit, in whichever thread.
 */
public interface Semaphore {

  /**
   * Takes a permit, waiting while there is none.
   *
   * @throws InterruptedException if interrupted on entry or while waiting; no permit taken
   */
  void acquire() throws InterruptedException;

  /**
   * Takes a permit, waiting up to {@code timeout} while there is none.
   *
   * @param timeout how long to wait; zero or negative means do not wait
   * @return true if a permit was taken, false if the time ran out first
   * @throws InterruptedException if interrupted on entry or while waiting; no permit taken
   * @throws NullPointerException if {@code timeout} is null
   */
  boolean acquire(Duration timeout) throws InterruptedException;

  /**
   * Takes a permit if there is one now. Never blocks.
   *
   * @return true if a permit was taken
   */
  boolean tryAcquire();

  /**
   * Gives a permit back and lets one waiter (if any) take it. Never blocks for long.
   *
   * @throws IllegalStateException for a bounded semaphore, if the permits would exceed the initial
   *     count (Python's {@code ValueError}); nothing changes then
   */
  void release();

  /**
   * The permits available now; approximate when others are using the semaphore.
   *
   * @return the number of permits, at least 0
   */
  int available();

  /**
   * Takes a permit and returns a handle whose {@link Lock.Held#close()} gives it back: Python's
   * {@code with semaphore:}.
   *
   * @return the handle; close it once (a second close does nothing)
   * @throws InterruptedException if interrupted on entry or while waiting; no permit taken
   */
  default Lock.Held hold() throws InterruptedException {
    acquire();
    return Lock.Held.of(this::release);
  }
}
