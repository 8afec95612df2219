package dev.multiproc.engine;

import dev.multiproc.JoinableQueue;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link JoinableQueue} in this JVM: a {@link LocalQueue} that counts every item it adds (inside
 * the add, before a consumer can take the item, so a {@code taskDone} never races ahead of its
 * count), plus a lock and condition for the joiners, woken when the count reaches zero. An item put
 * back after its taker died is not counted again.
 *
 * <p>Internal: shared by the backends (the process backend keeps its joinable queues' items and
 * counts here), no compatibility promise.
 *
 * @param <T> the item type
 */
public final class LocalJoinableQueue<T> implements JoinableQueue<T> {

  private final AtomicLong unfinished = new AtomicLong();
  private final LocalQueue<T> items;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition finished = lock.newCondition();
  private volatile Runnable flusher;

  /**
   * @param maxSize the capacity; 0 means unbounded
   * @throws IllegalArgumentException if negative
   */
  public LocalJoinableQueue(int maxSize) {
    this.items = new LocalQueue<>(maxSize, unfinished::incrementAndGet);
  }

  /** @return the queue of items, whose adds count as unfinished items */
  public LocalQueue<T> items() {
    return items;
  }

  /**
   * Sets what a waiting {@link #join} runs, with no lock held, when it starts waiting and every
   * {@link #FLUSH_NANOS} after: it should have consumers elsewhere report the {@code taskDone}s
   * they have not sent yet. Must not block.
   */
  public void flusher(Runnable r) {
    this.flusher = r;
  }

  /** How often a waiting {@link #join} runs the {@linkplain #flusher(Runnable) flusher}. */
  public static final long FLUSH_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10);

  /** @return the number of items put and not yet marked done */
  public long unfinished() {
    return unfinished.get();
  }

  @Override
  public void taskDone() {
    long n;
    do {
      n = unfinished.get();
      if (n == 0) {
        throw new IllegalStateException("taskDone() called more times than items were put on the JoinableQueue");
      }
    } while (!unfinished.compareAndSet(n, n - 1));
    if (n == 1) {
      lock.lock();
      try {
        finished.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  public void join() throws InterruptedException {
    join(Waits.FOREVER);
  }

  @Override
  public boolean join(Duration timeout) throws InterruptedException {
    return join(Waits.nanos(timeout));
  }

  /**
   * @param nanos {@link Waits#FOREVER} for no limit; zero or less: do not wait
   * @return true if no item is unfinished
   * @throws InterruptedException if interrupted on entry or while waiting
   */
  public boolean join(long nanos) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (unfinished.get() == 0) {
      return true;
    }
    Runnable f = flusher;
    lock.lockInterruptibly();
    try {
      while (unfinished.get() > 0) {
        if (nanos <= 0 && nanos != Waits.FOREVER) {
          return false;
        }
        if (f != null) {
          lock.unlock();
          try {
            f.run();
          } finally {
            lock.lock();
          }
          if (unfinished.get() == 0) {
            break;
          }
          long slice = nanos == Waits.FOREVER ? FLUSH_NANOS : Math.min(nanos, FLUSH_NANOS);
          long left = finished.awaitNanos(slice);
          if (nanos != Waits.FOREVER) {
            nanos -= slice - left;
          }
        } else if (nanos == Waits.FOREVER) {
          finished.await();
        } else {
          nanos = finished.awaitNanos(nanos);
        }
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void put(T item) throws InterruptedException {
    items.put(item);
  }

  @Override
  public boolean put(T item, Duration timeout) throws InterruptedException {
    return items.put(item, timeout);
  }

  @Override
  public boolean tryPut(T item) {
    return items.tryPut(item);
  }

  @Override
  public T get() throws InterruptedException {
    return items.get();
  }

  @Override
  public Optional<T> get(Duration timeout) throws InterruptedException {
    return items.get(timeout);
  }

  @Override
  public Optional<T> tryGet() {
    return items.tryGet();
  }

  @Override
  public int size() {
    return items.size();
  }

  @Override
  public String toString() {
    return "LocalJoinableQueue{size=" + size() + ", unfinished=" + unfinished() + "}";
  }
}
