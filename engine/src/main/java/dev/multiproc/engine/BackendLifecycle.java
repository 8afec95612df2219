package dev.multiproc.engine;

import dev.multiproc.Pool;
import dev.multiproc.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The lifecycle every backend shares: open until {@link #close()}, the pools and running workers it
 * made (so that closing ends them), and a bounded wait for what it started to be gone.
 *
 * <p>Internal: shared by the backends, no compatibility promise.
 */
public final class BackendLifecycle {

  private final String backendName;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Set<Pool> pools = new LinkedHashSet<>();
  private final Set<Worker> workers = new LinkedHashSet<>();
  private boolean closed;

  /** @param backendName the backend's name, for messages */
  public BackendLifecycle(String backendName) {
    this.backendName = backendName;
  }

  /** @throws IllegalStateException if the backend is closed */
  public void checkOpen() {
    lock.lock();
    try {
      checkOpenLocked();
    } finally {
      lock.unlock();
    }
  }

  private void checkOpenLocked() {
    if (closed) {
      throw closedException();
    }
  }

  /** @return the exception for work given to a closed backend */
  public IllegalStateException closedException() {
    return new IllegalStateException("the " + backendName + " backend is closed; open a new one for more work");
  }

  /** @return true once {@link #close()} was called */
  public boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Registers a new pool; if the backend was closed meanwhile, terminates it and throws.
   *
   * @param pool the pool
   * @param <P> its type
   * @return {@code pool}
   * @throws IllegalStateException if the backend is closed
   */
  public <P extends Pool> P poolOpened(P pool) {
    lock.lock();
    try {
      if (!closed) {
        pools.add(pool);
        return pool;
      }
    } finally {
      lock.unlock();
    }
    pool.terminate();
    throw closedException();
  }

  /** @param pool a pool that was closed or terminated */
  public void poolEnded(Pool pool) {
    lock.lock();
    try {
      pools.remove(pool);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Registers a worker and runs {@code launch} under the lifecycle's lock, so that {@link #close()}
   * either sees the launched worker or the worker is never launched.
   *
   * @param worker the worker
   * @param launch starts it
   * @throws IllegalStateException if the backend is closed (nothing launched)
   */
  public void workerStarted(Worker worker, Runnable launch) {
    lock.lock();
    try {
      checkOpenLocked();
      launch.run();
      workers.add(worker);
    } finally {
      lock.unlock();
    }
  }

  /** @param worker a worker whose run ended */
  public void workerEnded(Worker worker) {
    lock.lock();
    try {
      workers.remove(worker);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks the backend closed, terminates its pools and kills its workers. Idempotent.
   *
   * @return true the first time
   */
  public boolean close() {
    List<Pool> openPools;
    List<Worker> live;
    boolean first;
    lock.lock();
    try {
      first = !closed;
      closed = true;
      openPools = new ArrayList<>(pools);
      live = new ArrayList<>(workers);
    } finally {
      lock.unlock();
    }
    for (Pool p : openPools) {
      p.terminate();
    }
    for (Worker w : live) {
      w.kill();
    }
    return first;
  }

  /**
   * Waits until {@code done} holds, at most {@code timeout}, re-checking it whenever a worker ends
   * and every few milliseconds (threads and processes end outside this lock).
   *
   * @param done the condition
   * @param timeout the bound
   * @return true if it holds; false on timeout or interrupt (the interrupt flag is kept)
   */
  public boolean awaitUntil(BooleanSupplier done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!done.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(Math.min(left, 2_000_000L));
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
