package dev.multiproc.engine;

import dev.multiproc.Semaphore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Predicate;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Semaphore} in this JVM, plain or bounded: a permit count guarded by a
 * {@link ReentrantLock}, never a monitor.
 *
 * <p>Permits taken for a non-null owner (the process backend's hub passes the child a request came
 * from) are counted per owner, so {@link #releaseHeldBy} can give back what a dead child held. A
 * release by an owner holding none counts against another holder, so that the permits counted for
 * owners never exceed those taken out ({@code initial - available}).
 *
 * <p>Internal: shared by the backends, no compatibility promise.
 */
public final class LocalSemaphore implements Semaphore {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition available = lock.newCondition();
  private final int initial;
  private final boolean bounded;
  private final Map<Object, Integer> held = new HashMap<>(); // guarded by lock
  private int heldTotal; // guarded by lock
  private int permits; // guarded by lock

  /**
   * @param permits the initial permits
   * @param bounded true for Python's {@code BoundedSemaphore}: releases beyond {@code permits} fail
   * @throws IllegalArgumentException if {@code permits} is negative
   */
  public LocalSemaphore(int permits, boolean bounded) {
    if (permits < 0) {
      throw new IllegalArgumentException("permits must be 0 or more, got " + permits);
    }
    this.initial = permits;
    this.permits = permits;
    this.bounded = bounded;
  }

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

  @Override
  public void release() {
    release(null);
  }

  @Override
  public int available() {
    lock.lock();
    try {
      return permits;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes a permit for {@code owner}.
   *
   * @param owner who takes it, or null (untracked)
   * @param nanos how long to wait ({@link Waits#FOREVER}: no limit; zero or less: do not wait)
   * @return true if taken
   * @throws InterruptedException if interrupted on entry or while waiting
   */
  public boolean acquire(Object owner, long nanos) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    lock.lockInterruptibly();
    try {
      while (permits == 0) {
        if (nanos == Waits.FOREVER) {
          available.await();
        } else if (nanos <= 0) {
          return false;
        } else {
          nanos = available.awaitNanos(nanos);
        }
      }
      take(owner);
      return true;
    } catch (InterruptedException e) {
      if (permits > 0) {
        available.signal();
      }
      throw e;
    } finally {
      lock.unlock();
    }
  }

  /**
   * @param owner who takes it, or null
   * @return true if a permit was taken
   */
  public boolean tryAcquire(Object owner) {
    lock.lock();
    try {
      if (permits == 0) {
        return false;
      }
      take(owner);
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void take(Object owner) {
    permits--;
    if (permits > 0) {
      available.signal(); // another waiter may go on
    }
    if (owner != null) {
      held.merge(owner, 1, Integer::sum);
      heldTotal++;
    }
  }

  /**
   * Gives a permit back on behalf of {@code owner}.
   *
   * @param owner who gives it back, or null
   * @throws IllegalStateException if bounded and the permits would exceed the initial count
   */
  public void release(Object owner) {
    lock.lock();
    try {
      if (bounded && permits >= initial) {
        throw new IllegalStateException("release() of a BoundedSemaphore would raise it above its initial "
            + initial + " permit(s): it was released more times than acquired");
      }
      permits++;
      available.signal();
      if (heldTotal > Math.max(0, initial - permits)) {
        Object from = owner != null && held.containsKey(owner) ? owner : held.keySet().iterator().next();
        held.computeIfPresent(from, (k, n) -> n == 1 ? null : n - 1);
        heldTotal--;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Gives back every permit held by owners that {@code dead} accepts (dead children).
   *
   * @param dead which owners are gone
   * @return the number of permits given back
   */
  public int releaseHeldBy(Predicate<Object> dead) {
    lock.lock();
    try {
      int n = 0;
      for (Iterator<Map.Entry<Object, Integer>> it = held.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Object, Integer> e = it.next();
        if (dead.test(e.getKey())) {
          n += e.getValue();
          it.remove();
        }
      }
      if (n > 0) {
        heldTotal -= n;
        permits += n;
        available.signalAll();
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "LocalSemaphore{available=" + available() + (bounded ? ", bounded at " + initial : "") + "}";
  }
}
