package dev.multiproc;

import java.time.Duration;

/**
 * A mutual-exclusion lock that workers of the same backend share: Python's {@code Lock} (made by
 * {@link Multiproc#lock()} / {@link Backend#newLock()}) or {@code RLock} ({@link Multiproc#rlock()}
 * / {@link Backend#newRLock()}).
 *
 * <h2>Usage</h2>
 *
 * <pre>{@code
 * Lock lock = Multiproc.lock();
 * Value counter = Multiproc.value(0);
 * Worker w = Multiproc.worker(() -> {
 *   try (Lock.Held h = lock.hold()) {         // Python: with lock:
 *     counter.set(counter.get() + 1);
 *   }
 * }).start();
 * }</pre>
 *
 * <h2>Lock and RLock</h2>
 *
 * A <b>Lock</b> is not reentrant: a holder that acquires it again waits forever (or until its
 * timeout), as in Python. Any thread or worker may release it, not only the one that acquired it.
 * An <b>RLock</b> is reentrant: its holder (one thread; on the process backend one thread of one
 * child JVM) may acquire it again and must release it as many times; only the holder may release
 * it. Neither is fair: which waiter gets a released lock is unspecified.
 *
 * <p>A task may capture the lock and use it inside any worker of the backend that made it. On the
 * process backend the lock lives in shared memory that the parent and its children map, as
 * Python's is a semaphore in shared memory: an uncontended acquire or release asks no other
 * process; an acquire that must wait waits in the parent JVM. When a child process dies holding a
 * Lock or an RLock, the parent releases it (logged at DEBUG), so no one waits forever; a thread
 * that ends while holding a lock does not release it (as in Python).
 *
 * <h2>Interruption</h2>
 *
 * {@link #acquire()}, {@link #acquire(Duration)} and {@link #hold()} throw
 * {@link InterruptedException} if the calling thread is interrupted on entry or while waiting; the
 * lock is then not acquired.
 *
 * <h2>Memory consistency</h2>
 *
 * Actions before a {@link #release()} happen-before the actions after a later successful acquire
 * of the same lock, in whichever thread (on the process backend: whichever JVM, for the state that
 * other shared handles hold).
 */
public interface Lock {

  /**
   * Acquires the lock, waiting as long as it takes: Python's {@code lock.acquire()}.
   *
   * @throws InterruptedException if interrupted on entry or while waiting; not acquired
   */
  void acquire() throws InterruptedException;

  /**
   * Acquires the lock, waiting up to {@code timeout}: Python's {@code lock.acquire(timeout=t)}.
   *
   * @param timeout how long to wait; zero or negative means do not wait
   * @return true if acquired, false if the time ran out first
   * @throws InterruptedException if interrupted on entry or while waiting; not acquired
   * @throws NullPointerException if {@code timeout} is null
   */
  boolean acquire(Duration timeout) throws InterruptedException;

  /**
   * Acquires the lock if it is free now (or, for an RLock, held by the caller): Python's
   * {@code lock.acquire(False)}. Never blocks.
   *
   * @return true if acquired
   */
  boolean tryAcquire();

  /**
   * Releases the lock: a Lock becomes free, and one waiter (if any) may acquire it; an RLock
   * becomes free when its holder has released it as many times as it acquired it. Never blocks
   * for long.
   *
   * @throws IllegalStateException if a Lock is not locked, or an RLock is not held by the caller
   *     (Python's {@code RuntimeError})
   */
  void release();

  /**
   * Acquires the lock and returns a handle whose {@link Held#close()} releases it, for
   * try-with-resources: Python's {@code with lock:}.
   *
   * <pre>{@code
   * try (Lock.Held h = lock.hold()) {
   *   ... // the lock is held here
   * }
   * }</pre>
   *
   * @return the handle; close it once (a second close does nothing)
   * @throws InterruptedException if interrupted on entry or while waiting; not acquired
   */
  default Held hold() throws InterruptedException {
    acquire();
    return Held.of(this::release);
  }

  /** A held lock (or semaphore permit); {@link #close()} releases it. */
  interface Held extends AutoCloseable {

    /**
     * Releases what was acquired. The first call releases; later calls do nothing.
     *
     * @throws IllegalStateException as {@link Lock#release()} (for example when the lock was
     *     already released by other means)
     */
    @Override
    void close();

    /**
     * A handle that runs {@code release} on its first {@link #close()} only.
     *
     * @param release what closing does
     * @return the handle
     * @throws NullPointerException if {@code release} is null
     */
    static Held of(Runnable release) {
      java.util.Objects.requireNonNull(release, "release");
      java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
      return () -> {
        if (closed.compareAndSet(false, true)) {
          release.run();
        }
      };
    }
  }
}
