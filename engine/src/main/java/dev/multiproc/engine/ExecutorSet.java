package dev.multiproc.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The executors of a pool, guarded by the pool's own lock (so that a pool can scan them and act
 * under that lock, as a task timeout must), with a signal when one leaves and a bounded wait until
 * none is left.
 *
 * <p>Internal: shared by the backends, no compatibility promise.
 *
 * @param <E> the pool's executor type
 */
public final class ExecutorSet<E> {

  private final ReentrantLock lock;
  private final Condition left;
  private final Set<E> executors = new HashSet<>();

  /** @param lock the pool's lock, which guards the set */
  public ExecutorSet(ReentrantLock lock) {
    this.lock = lock;
    this.left = lock.newCondition();
  }

  /**
   * Adds an executor. The caller holds the lock.
   *
   * @param e the executor
   */
  public void addLocked(E e) {
    executors.add(e);
  }

  /**
   * Removes an executor and wakes {@link #awaitEmpty}. The caller holds the lock.
   *
   * @param e the executor
   * @return true if it was there
   */
  public boolean removeLocked(E e) {
    boolean removed = executors.remove(e);
    if (removed) {
      left.signalAll();
    }
    return removed;
  }

  /**
   * Removes an executor, taking the lock.
   *
   * @param e the executor
   */
  public void remove(E e) {
    lock.lock();
    try {
      removeLocked(e);
    } finally {
      lock.unlock();
    }
  }

  /** @return the executors, to iterate while holding the lock */
  public Set<E> allLocked() {
    return executors;
  }

  /** @return a copy of the executors, taken under the lock */
  public List<E> snapshot() {
    lock.lock();
    try {
      return new ArrayList<>(executors);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until no executor is left, at most {@code timeout}.
   *
   * @param timeout the bound
   * @return true if none is left; false on timeout or interrupt (the interrupt flag is kept)
   */
  public boolean awaitEmpty(Duration timeout) {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (!executors.isEmpty()) {
        if (nanos <= 0) {
          return false;
        }
        nanos = left.awaitNanos(nanos);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }
}
