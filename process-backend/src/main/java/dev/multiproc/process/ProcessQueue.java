package dev.multiproc.process;

import dev.multiproc.Queue;
import dev.multiproc.engine.LocalQueue;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A queue of the process backend as the parent sees it. The items live here, in the parent, in
 * their encoded form ({@link QueueItem}): an item passes from child to child without being decoded in between, and
 * what a consumer gets is always a copy, as with Python's {@code multiprocessing.Queue}. Sent to a
 * child (captured by a task), the handle becomes a {@link ChildQueue} proxy.
 */
final class ProcessQueue<T> implements Queue<T>, Serializable {

  @Serial private static final long serialVersionUID = 1L;

  final transient LocalQueue<Object> items;
  private final long backendId;
  final long id;
  private final int maxSize;

  /** A handle on the hub's queue {@code items}: made by the {@link Hub}, which counts its handles. */
  ProcessQueue(long backendId, long id, LocalQueue<Object> items) {
    this.items = items;
    this.backendId = backendId;
    this.id = id;
    this.maxSize = items.capacity() == Integer.MAX_VALUE ? 0 : items.capacity(); // 0: unbounded, as made
  }

  private static Object encode(Object item) {
    return QueueItem.encode(Objects.requireNonNull(item, "item"));
  }

  /**
   * The item itself. One that cannot be read here is consumed and reported, as Python's
   * {@code Queue.get} raises the unpickling error: put back, it would block the queue for good.
   */
  @SuppressWarnings("unchecked")
  private T decode(Object stored) {
    try {
      return (T) QueueItem.decode(stored);
    } catch (Codec.ShippingException e) {
      throw Codec.unreadable("queue item", "in the parent (the item was taken off the queue)", e);
    }
  }

  @Override
  public void put(T item) throws InterruptedException {
    items.put(encode(item));
  }

  @Override
  public boolean put(T item, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    return items.put(encode(item), timeout);
  }

  @Override
  public boolean tryPut(T item) {
    return items.tryPut(encode(item));
  }

  @Override
  public T get() throws InterruptedException {
    Object b = spin();
    return decode(b != null ? b : items.get());
  }

  /**
   * Polls for a few microseconds before a blocking get: items from a child arrive a microsecond
   * or so apart, and parking and waking the consumer for each costs more than that.
   */
  private Object spin() {
    if (Runtime.getRuntime().availableProcessors() < 2) {
      return null;
    }
    long deadline = System.nanoTime() + SPIN_NANOS;
    do {
      Optional<Object> b = items.tryGet();
      if (b.isPresent()) {
        return b.get();
      }
      Thread.onSpinWait();
    } while (System.nanoTime() < deadline);
    return null;
  }

  private static final long SPIN_NANOS = 20_000;

  @Override
  public Optional<T> get(Duration timeout) throws InterruptedException {
    Optional<Object> b = items.get(timeout);
    return b.isEmpty() ? Optional.empty() : Optional.of(decode(b.get()));
  }

  @Override
  public Optional<T> tryGet() {
    Optional<Object> b = items.tryGet();
    return b.isEmpty() ? Optional.empty() : Optional.of(decode(b.get()));
  }

  @Override
  public int size() {
    return items.size();
  }

  @Serial
  private Object writeReplace() {
    if (Codec.inQueueItem()) {
      Hub.pin(backendId, id);
    }
    return new QueueRef(backendId, id, maxSize);
  }

  @Override
  public String toString() {
    return "Queue#" + id + "{size=" + size() + (maxSize == 0 ? "" : ", maxSize=" + maxSize) + "}";
  }
}
