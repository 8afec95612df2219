package dev.multiproc.thread;

import dev.multiproc.Queue;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Queue} in this JVM: an {@link ArrayDeque} behind a {@link ReentrantLock} with
 * "not empty" and "not full" conditions (no monitors, so virtual threads never pin on it).
 *
 * <p>Public so that other backends can reuse it (the process backend keeps its queues here, in the
 * parent); not part of the user API.
 *
 * @param <T> the item type
 */
public final class ThreadQueue<T> implements Queue<T> {

  private final int capacity;
  private final ArrayDeque<T> items = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();

  /**
   * @param maxSize the capacity; 0 means unbounded
   * @throws IllegalArgumentException if negative
   */
  public ThreadQueue(int maxSize) {
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize must be 0 (unbounded) or positive, got " + maxSize);
    }
    this.capacity = maxSize == 0 ? Integer.MAX_VALUE : maxSize;
  }

  /** @return the capacity, {@link Integer#MAX_VALUE} if unbounded */
  public int capacity() {
    return capacity;
  }

  @Override
  public void put(T item) throws InterruptedException {
    Objects.requireNonNull(item, "item");
    lock.lockInterruptibly();
    try {
      while (items.size() >= capacity) {
        notFull.await();
      }
      add(item);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean put(T item, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(item, "item");
    long nanos = timeout.toNanos();
    lock.lockInterruptibly();
    try {
      while (items.size() >= capacity) {
        if (nanos <= 0) {
          return false;
        }
        nanos = notFull.awaitNanos(nanos);
      }
      add(item);
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean tryPut(T item) {
    Objects.requireNonNull(item, "item");
    lock.lock();
    try {
      if (items.size() >= capacity) {
        return false;
      }
      add(item);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Puts an item back at the head, ignoring the capacity: for an item that was taken on behalf of
   * a consumer that died before receiving it.
   *
   * @param item the item
   */
  public void putBack(T item) {
    Objects.requireNonNull(item, "item");
    lock.lock();
    try {
      items.addFirst(item);
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  private void add(T item) {
    items.addLast(item);
    notEmpty.signal();
  }

  @Override
  public T get() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (items.isEmpty()) {
        notEmpty.await();
      }
      return remove();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<T> get(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lockInterruptibly();
    try {
      while (items.isEmpty()) {
        if (nanos <= 0) {
          return Optional.empty();
        }
        nanos = notEmpty.awaitNanos(nanos);
      }
      return Optional.of(remove());
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<T> tryGet() {
    lock.lock();
    try {
      return items.isEmpty() ? Optional.empty() : Optional.of(remove());
    } finally {
      lock.unlock();
    }
  }

  private T remove() {
    T item = items.removeFirst();
    notFull.signal();
    if (!items.isEmpty()) {
      notEmpty.signal();
    }
    return item;
  }

  @Override
  public int size() {
    lock.lock();
    try {
      return items.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "ThreadQueue{size=" + size() + (capacity == Integer.MAX_VALUE ? "" : ", maxSize=" + capacity) + "}";
  }
}
