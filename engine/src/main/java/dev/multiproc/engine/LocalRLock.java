package dev.multiproc.engine;

import dev.multiproc.Lock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A reentrant {@link Lock} in this JVM (Python's {@code RLock}): a holder and a hold count guarded
 * by a {@link ReentrantLock}, never a monitor.
 *
 * <p>The holder is an owner object compared with {@code equals}: the current {@link Thread} for
 * calls through the {@link Lock} methods; the process backend's hub passes one naming a thread of
 * a child, so the lock follows the child's thread, not the hub thread that serves it, and can be
 * released when the child dies ({@link #releaseHeldBy}).
 *
 * <p>Internal: shared by the backends, no compatibility promise.
 */
public final class LocalRLock implements Lock {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition free = lock.newCondition();
  private Object holder; // guarded by lock; null when free
  private int holds; // guarded by lock

  @Override
  public void acquire() throws InterruptedException {
    acquire(Thread.currentThread(), Waits.FOREVER);
  }

  @Override
  public boolean acquire(Duration timeout) throws InterruptedException {
    return acquire(Thread.currentThread(), Waits.nanos(timeout));
  }

  @Override
  public boolean tryAcquire() {
    return tryAcquire(Thread.currentThread());
  }

  @Override
  public void release() {
    release(Thread.currentThread());
  }

  /**
   * Acquires for {@code owner}, or holds once more if it is the holder.
   *
   * @param owner who acquires; not null
   * @param nanos how long to wait ({@link Waits#FOREVER}: no limit; zero or less: do not wait)
   * @return true if acquired
   * @throws InterruptedException if interrupted on entry or while waiting
   */
  public boolean acquire(Object owner, long nanos) throws InterruptedException {
    Objects.requireNonNull(owner, "owner");
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    lock.lockInterruptibly();
    try {
      if (owner.equals(holder)) {
        holds++;
        return true;
      }
      while (holder != null) {
        if (nanos == Waits.FOREVER) {
          free.await();
        } else if (nanos <= 0) {
          return false;
        } else {
          nanos = free.awaitNanos(nanos);
        }
      }
      holder = owner;
      holds = 1;
      return true;
    } catch (InterruptedException e) {
      if (holder == null) {
        free.signal();
      }
      throw e;
    } finally {
      lock.unlock();
    }
  }

  /**
   * @param owner who acquires; not null
   * @return true if acquired (free, or already held by {@code owner})
   */
  public boolean tryAcquire(Object owner) {
    Objects.requireNonNull(owner, "owner");
    lock.lock();
    try {
      if (holder == null) {
        holder = owner;
        holds = 1;
        return true;
      }
      if (holder.equals(owner)) {
        holds++;
        return true;
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Releases one hold of {@code owner}.
   *
   * @param owner who releases
   * @throws IllegalStateException if {@code owner} does not hold the lock
   */
  public void release(Object owner) {
    lock.lock();
    try {
      if (holder == null) {
        throw new IllegalStateException("release() of an RLock that is not locked");
      }
      if (!holder.equals(owner)) {
        throw new IllegalStateException("release() of an RLock by a thread that does not hold it (held by " + holder
            + "); only the holder may release an RLock");
      }
      if (--holds == 0) {
        holder = null;
        free.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Frees the lock, whatever its hold count, if an owner that {@code dead} accepts holds it.
   *
   * @param dead which owners are gone
   * @return 1 if released, else 0
   */
  public int releaseHeldBy(Predicate<Object> dead) {
    lock.lock();
    try {
      if (holder == null || !dead.test(holder)) {
        return 0;
      }
      holder = null;
      holds = 0;
      free.signal();
      return 1;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    lock.lock();
    try {
      return "LocalRLock{" + (holder == null ? "unlocked" : "held " + holds + "x by " + holder) + "}";
    } finally {
      lock.unlock();
    }
  }
}
