package dev.multiproc.hazelcast;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import dev.multiproc.Queue;
import dev.multiproc.engine.LocalQueue;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A queue of the hazelcast backend: an {@link IQueue} (backup count 1, so its items survive a
 * member's death). Captured by a task it travels as its name and finds the member's instance on
 * the other side.
 *
 * <p>Waiting calls never park inside the cluster: a blocking {@code take} interrupted here could
 * still take an item there, which would be lost. {@code get} and {@code put} make non-blocking
 * {@code poll}/{@code offer} calls and wait in this JVM for a listener's wake-up between them
 * ({@link Signals}), so an interrupted call takes or adds nothing. Items move one per call: a
 * {@code get} never takes an item it was not asked for. Items travel as bytes serialized here
 * ({@link Shipping}): one that cannot be written fails its {@code put}, one that cannot be read
 * back fails the {@code get} that took it (it is consumed, as in Python), naming its class.
 *
 * <p>Once the backend that made it is closed, the handle in this JVM keeps working on a local copy
 * of the items it held (see {@link #detach()}).
 */
final class HazelcastQueue<T> implements Queue<T>, Serializable, HazelcastBackend.Detachable {

  @Serial private static final long serialVersionUID = 1L;

  private final String backendId;
  private final String cluster;
  private final String name;
  private final int capacity;
  private transient volatile HazelcastInstance hz;
  private transient volatile LocalQueue<byte[]> detached;

  HazelcastQueue(HazelcastInstance hz, String backendId, String cluster, String name, int capacity) {
    this.hz = hz;
    this.backendId = backendId;
    this.cluster = cluster;
    this.name = name;
    this.capacity = capacity;
  }

  private IQueue<byte[]> q() {
    HazelcastInstance h = hz;
    if (h == null) {
      h = Instances.resolve(backendId, cluster);
      hz = h;
    }
    return h.getQueue(name);
  }

  private Signals.Signal signal(IQueue<byte[]> q) {
    return Signals.of(hz).queue(q);
  }

  @Override
  public void put(T item) throws InterruptedException {
    byte[] bytes = encode(item);
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      LocalQueue<byte[]> local = detached;
      if (local != null) {
        local.put(bytes);
        return;
      }
      try {
        IQueue<byte[]> q = q();
        Signals.Signal s = signal(q);
        long mark = s.value();
        if (q.offer(bytes)) {
          return;
        }
        s.awaitAbove(mark, Signals.RECHECK_NANOS);
      } catch (RuntimeException e) {
        if (Remote.interrupted(e)) {
          throw new InterruptedException("interrupted while waiting on " + this);
        }
        if (detached == null) {
          throw Remote.translate(e, toString());
        }
      }
    }
  }

  @Override
  public boolean put(T item, Duration timeout) throws InterruptedException {
    byte[] bytes = encode(item);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      LocalQueue<byte[]> local = detached;
      if (local != null) {
        return local.put(bytes, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      }
      try {
        IQueue<byte[]> q = q();
        Signals.Signal s = signal(q);
        long mark = s.value();
        if (q.offer(bytes)) {
          return true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        s.awaitAbove(mark, Math.min(left, Signals.RECHECK_NANOS));
      } catch (RuntimeException e) {
        if (Remote.interrupted(e)) {
          throw new InterruptedException("interrupted while waiting on " + this);
        }
        if (detached == null) {
          throw Remote.translate(e, toString());
        }
      }
    }
  }

  @Override
  public boolean tryPut(T item) {
    byte[] bytes = encode(item);
    LocalQueue<byte[]> local = detached;
    if (local != null) {
      return local.tryPut(bytes);
    }
    try {
      return q().offer(bytes);
    } catch (RuntimeException e) {
      if (detached != null) {
        return tryPut(item);
      }
      throw Remote.translate(e, toString());
    }
  }

  @Override
  public T get() throws InterruptedException {
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      LocalQueue<byte[]> local = detached;
      if (local != null) {
        return decode(local.get());
      }
      try {
        IQueue<byte[]> q = q();
        Signals.Signal s = signal(q);
        long mark = s.value();
        byte[] item = q.poll();
        if (item != null) {
          return decode(item);
        }
        s.awaitAbove(mark, Signals.RECHECK_NANOS);
      } catch (RuntimeException e) {
        if (Remote.interrupted(e)) {
          throw new InterruptedException("interrupted while waiting on " + this);
        }
        if (detached == null) {
          throw Remote.translate(e, toString());
        }
      }
    }
  }

  @Override
  public Optional<T> get(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      LocalQueue<byte[]> local = detached;
      if (local != null) {
        Optional<byte[]> b = local.get(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        return b.isEmpty() ? Optional.empty() : Optional.of(decode(b.get()));
      }
      try {
        IQueue<byte[]> q = q();
        Signals.Signal s = signal(q);
        long mark = s.value();
        byte[] item = q.poll();
        if (item != null) {
          return Optional.of(decode(item));
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return Optional.empty();
        }
        s.awaitAbove(mark, Math.min(left, Signals.RECHECK_NANOS));
      } catch (RuntimeException e) {
        if (Remote.interrupted(e)) {
          throw new InterruptedException("interrupted while waiting on " + this);
        }
        if (detached == null) {
          throw Remote.translate(e, toString());
        }
      }
    }
  }

  @Override
  public Optional<T> tryGet() {
    LocalQueue<byte[]> local = detached;
    if (local != null) {
      Optional<byte[]> b = local.tryGet();
      return b.isEmpty() ? Optional.empty() : Optional.of(decode(b.get()));
    }
    byte[] item;
    try {
      item = q().poll();
    } catch (RuntimeException e) {
      if (detached != null) {
        return tryGet();
      }
      throw Remote.translate(e, toString());
    }
    return item == null ? Optional.empty() : Optional.of(decode(item));
  }

  @Override
  public int size() {
    LocalQueue<byte[]> local = detached;
    if (local != null) {
      return local.size();
    }
    try {
      return q().size();
    } catch (RuntimeException e) {
      if (detached != null) {
        return size();
      }
      throw Remote.translate(e, toString());
    }
  }

  private static byte[] encode(Object item) {
    return Shipping.serialize(Objects.requireNonNull(item, "item"), "queue item");
  }

  @SuppressWarnings("unchecked")
  private T decode(byte[] bytes) {
    return (T) Shipping.deserialize(bytes, "queue item taken from " + this);
  }

  /** Moves the items into this JVM; from now on the handle works locally. Called as the backend closes. */
  @Override
  public void detach() {
    LocalQueue<byte[]> local = new LocalQueue<>(capacity);
    try {
      IQueue<byte[]> q = q();
      for (byte[] item = q.poll(); item != null; item = q.poll()) {
        local.tryPut(item);
      }
      detached = local;
      for (byte[] item = q.poll(); item != null; item = q.poll()) { // a put that raced with the first drain
        local.tryPut(item);
      }
    } catch (RuntimeException e) {
      detached = local;
    }
  }

  /** Removes the queue from the cluster (client mode: the cluster outlives the backend). */
  @Override
  public void destroy() {
    try {
      q().destroy();
    } catch (RuntimeException e) {
      // best effort: the cluster may be gone
    }
  }

  @Serial
  private Object writeReplace() {
    return new Ref(backendId, cluster, name, capacity);
  }

  /** What travels: names only. */
  private record Ref(String backendId, String cluster, String name, int capacity) implements Serializable {
    @Serial
    private Object readResolve() {
      return new HazelcastQueue<>(null, backendId, cluster, name, capacity);
    }
  }

  @Override
  public String toString() {
    return "Queue{" + name + (capacity == 0 ? "" : ", maxSize=" + capacity) + (detached != null ? ", detached" : "") + "}";
  }
}
