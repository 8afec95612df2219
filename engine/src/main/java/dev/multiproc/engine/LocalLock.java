package dev.multiproc.engine;

import dev.multiproc.Lock;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Lock} in this JVM (Python's non-reentrant {@code Lock}): a flag guarded by a
 * {@link ReentrantLock} with one condition, never a monitor, so virtual threads do not pin on it.
 * A release wakes one waiter; a waiter that gives up (timeout, interrupt) passes a wake-up it may
 * have received on, so none is lost.
 *
 * <p>Each acquisition records an owner: an object naming who took it. Threads of this JVM record
 * none; the process backend's hub records the child a request came from, so that it can release
 * what a dead child held ({@link #releaseHeldBy}).
 *
 * <p>Internal: shared by the backends, no compatibility promise.
 */
public final class LocalLock implements Lock {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition free = lock.newCondition();
  private boolean locked; // guarded by lock
  private Object holder; // guarded by lock; null when locked by an untracked owner

  @Override
  public void acquire() throws InterruptedException {
    acquire(null, Waits.FOREVER);
  }

  @Override
  public boolean acquire(Duration timeout) throws InterruptedException {
    return acquire(null, Waits.nanos(timeout));
  }

  @Override
  public boolean tryAcquire() {
    return tryAcquire(null);
  }

  /**
   * Acquires for {@code owner}, waiting at most {@code nanos} ({@link Waits#FOREVER}: no limit).
   *
   * @param owner who acquires, or null for an untracked owner
   * @param nanos how long to wait; zero or less: do not wait
   * @return true if acquired
   * @throws InterruptedException if interrupted on entry or while waiting
   */
  public boolean acquire(Object owner, long nanos) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    lock.lockInterruptibly();
    try {
      while (locked) {
        if (nanos == Waits.FOREVER) {
          free.await();
        } else if (nanos <= 0) {
          return false;
        } else {
          nanos = free.awaitNanos(nanos);
        }
      }
      locked = true;
      holder = owner;
      return true;
    } catch (InterruptedException e) {
      if (!locked) {
        free.signal(); // pass on a wake-up this thread may have taken
      }
      throw e;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Acquires for {@code owner} if the lock is free now.
   *
   * @param owner who acquires, or null
   * @return true if acquired
   */
  public boolean tryAcquire(Object owner) {
    lock.lock();
    try {
      if (locked) {
        return false;
      }
      locked = true;
      holder = owner;
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void release() {
    lock.lock();
    try {
      if (!locked) {
        throw new IllegalStateException("release() of a Lock that is not locked");
      }
      locked = false;
      holder = null;
      free.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Releases the lock if an owner that {@code dead} accepts holds it (a dead child's).
   *
   * @param dead which owners are gone
   * @return 1 if released, else 0
   */
  public int releaseHeldBy(Predicate<Object> dead) {
    lock.lock();
    try {
      if (!locked || holder == null || !dead.test(holder)) {
        return 0;
      }
      locked = false;
      holder = null;
      free.signal();
      return 1;
    } finally {
      lock.unlock();
    }
  }

  /** @return true if locked now */
  public boolean isLocked() {
    lock.lock();
    try {
      return locked;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "LocalLock{" + (isLocked() ? "locked" : "unlocked") + "}";
  }
}
