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
    if (b == null) {
      spinning = false; // it did not pay: items come slower than a spin waits (a round trip, say)
      ParentWaits.begin();
      try {
        b = items.get();
      } finally {
        ParentWaits.end();
      }
    }
    return decode(b);
  }

  /**
   * Polls for a few microseconds before a blocking get: items from a child arrive a microsecond
   * or so apart, and parking and waking the consumer for each costs more than that. Only while it
   * pays: after a get that had to block, the next spins only if it finds an item at once (a
   * stream is flowing again). A consumer waiting on round trips (ping-pong) then does not take a
   * core from the very threads that bring its item (ping-pong 121-127 µs with a spin every time,
   * 79-108 µs without, on 2 cores).
   */
  private Object spin() {
    Optional<Object> now = items.tryGet();
    if (now.isPresent()) {
      spinning = true;
      return now.get();
    }
    if (!spinning || Runtime.getRuntime().availableProcessors() < 2) {
      return null;
    }
    long deadline = System.nanoTime() + SPIN_NANOS;
    do {
      Thread.onSpinWait();
      Optional<Object> b = items.tryGet();
      if (b.isPresent()) {
        return b.get();
      }
    } while (System.nanoTime() < deadline);
    return null;
  }

  /** Whether {@link #spin} pays on this handle now; racy by design (a hint). */
  private transient volatile boolean spinning = true;

  private static final long SPIN_NANOS = 20_000;

  @Override
  public Optional<T> get(Duration timeout) throws InterruptedException {
    Optional<Object> b;
    ParentWaits.begin();
    try {
      b = items.get(timeout);
    } finally {
      ParentWaits.end();
    }
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
