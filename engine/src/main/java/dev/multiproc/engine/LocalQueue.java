package dev.multiproc.engine;

import dev.multiproc.Queue;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Queue} in this JVM: a linked list with one lock for each end (the "two-lock queue"), so
 * that producers and consumers do not wait for each other, plus an atomic count. A producer wakes a
 * consumer only when it makes the queue non-empty; a consumer that leaves items behind wakes the
 * next one. That cascade is what lets one producer feed a million blocked consumers without
 * fighting each of them for a lock. No monitors: virtual threads never pin on it.
 *
 * <p>Internal: shared by the backends (the process backend keeps its queues here, in the parent),
 * no compatibility promise.
 *
 * @param <T> the item type
 */
public final class LocalQueue<T> implements Queue<T> {

  /** A link; the head is a sentinel whose item is null. */
  private static final class Node<T> {
    T item;
    Node<T> next;

    Node(T item) {
      this.item = item;
    }
  }

  private final int capacity;
  private final Runnable onAdd;
  private final AtomicInteger count = new AtomicInteger();
  private final ReentrantLock takeLock = new ReentrantLock();
  private final Condition notEmpty = takeLock.newCondition();
  private final ReentrantLock putLock = new ReentrantLock();
  private final Condition notFull = putLock.newCondition();
  private Node<T> head = new Node<>(null); // guarded by takeLock
  private Node<T> last = head; // guarded by putLock

  /**
   * @param maxSize the capacity; 0 means unbounded
   * @throws IllegalArgumentException if negative
   */
  public LocalQueue(int maxSize) {
    this(maxSize, null);
  }

  /**
   * @param maxSize the capacity; 0 means unbounded
   * @param onAdd run inside every put that adds an item (under the put lock, before consumers can
   *     see the item; not for {@link #putBack}); must not block. Null for none.
   * @throws IllegalArgumentException if negative
   */
  public LocalQueue(int maxSize, Runnable onAdd) {
    this.onAdd = onAdd;
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
    int before;
    putLock.lockInterruptibly();
    try {
      while (count.get() >= capacity) {
        notFull.await();
      }
      before = append(item);
    } finally {
      putLock.unlock();
    }
    if (before == 0) {
      signalNotEmpty();
    }
  }

  @Override
  public boolean put(T item, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(item, "item");
    long nanos = timeout.toNanos();
    int before;
    putLock.lockInterruptibly();
    try {
      while (count.get() >= capacity) {
        if (nanos <= 0) {
          return false;
        }
        nanos = notFull.awaitNanos(nanos);
      }
      before = append(item);
    } finally {
      putLock.unlock();
    }
    if (before == 0) {
      signalNotEmpty();
    }
    return true;
  }

  @Override
  public boolean tryPut(T item) {
    Objects.requireNonNull(item, "item");
    if (count.get() >= capacity) {
      return false;
    }
    int before;
    putLock.lock();
    try {
      if (count.get() >= capacity) {
        return false;
      }
      before = append(item);
    } finally {
      putLock.unlock();
    }
    if (before == 0) {
      signalNotEmpty();
    }
    return true;
  }

  /** Links an item at the tail; returns the count before. Holds putLock, and room is there. */
  private int append(T item) {
    if (onAdd != null) {
      onAdd.run();
    }
    Node<T> n = new Node<>(item);
    last.next = n;
    last = n;
    int before = count.getAndIncrement();
    if (before + 1 < capacity) {
      notFull.signal(); // another producer may go on
    }
    return before;
  }

  /**
   * Puts an item back at the head, ignoring the capacity: for an item that was taken on behalf of
   * a consumer that died before receiving it. Rare, so it takes both locks.
   *
   * @param item the item
   */
  public void putBack(T item) {
    Objects.requireNonNull(item, "item");
    putLock.lock();
    takeLock.lock();
    try {
      Node<T> n = new Node<>(item);
      n.next = head.next;
      head.next = n;
      if (last == head) {
        last = n;
      }
      count.getAndIncrement();
      notEmpty.signal();
    } finally {
      takeLock.unlock();
      putLock.unlock();
    }
  }

  @Override
  public T get() throws InterruptedException {
    T item;
    int before;
    Events.QueueWait wait = null;
    takeLock.lockInterruptibly();
    try {
      while (count.get() == 0) {
        if (wait == null && Events.recording()) {
          wait = new Events.QueueWait();
          wait.begin();
        }
        notEmpty.await();
      }
      item = unlink();
      before = count.getAndDecrement();
      if (before > 1) {
        notEmpty.signal(); // items are left: wake the next consumer
      }
    } finally {
      takeLock.unlock();
    }
    if (before == capacity) {
      signalNotFull();
    }
    if (wait != null) {
      wait.gotItem = true;
      wait.commit();
    }
    return item;
  }

  @Override
  public Optional<T> get(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    T item;
    int before;
    Events.QueueWait wait = null;
    takeLock.lockInterruptibly();
    try {
      while (count.get() == 0) {
        if (nanos <= 0) {
          if (wait != null) {
            wait.commit(); // gotItem stays false: timed out
          }
          return Optional.empty();
        }
        if (wait == null && Events.recording()) {
          wait = new Events.QueueWait();
          wait.begin();
        }
        nanos = notEmpty.awaitNanos(nanos);
      }
      item = unlink();
      before = count.getAndDecrement();
      if (before > 1) {
        notEmpty.signal();
      }
    } finally {
      takeLock.unlock();
    }
    if (before == capacity) {
      signalNotFull();
    }
    if (wait != null) {
      wait.gotItem = true;
      wait.commit();
    }
    return Optional.of(item);
  }

  @Override
  public Optional<T> tryGet() {
    if (count.get() == 0) {
      return Optional.empty();
    }
    T item;
    int before;
    takeLock.lock();
    try {
      if (count.get() == 0) {
        return Optional.empty();
      }
      item = unlink();
      before = count.getAndDecrement();
      if (before > 1) {
        notEmpty.signal();
      }
    } finally {
      takeLock.unlock();
    }
    if (before == capacity) {
      signalNotFull();
    }
    return Optional.of(item);
  }

  /** Unlinks the first item. Holds takeLock, and the queue is not empty. */
  private T unlink() {
    Node<T> first = head.next;
    head.next = null; // help the collector
    head = first;
    T item = first.item;
    first.item = null;
    return item;
  }

  private void signalNotEmpty() {
    takeLock.lock();
    try {
      notEmpty.signal();
    } finally {
      takeLock.unlock();
    }
  }

  private void signalNotFull() {
    putLock.lock();
    try {
      notFull.signal();
    } finally {
      putLock.unlock();
    }
  }

  @Override
  public int size() {
    return count.get();
  }

  @Override
  public String toString() {
    return "LocalQueue{size=" + size() + (capacity == Integer.MAX_VALUE ? "" : ", maxSize=" + capacity) + "}";
  }
}
