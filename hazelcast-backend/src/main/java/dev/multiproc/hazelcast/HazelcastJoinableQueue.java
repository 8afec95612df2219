package dev.multiproc.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import dev.multiproc.JoinableQueue;
import dev.multiproc.Queue;
import java.io.Serial;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A JoinableQueue of the hazelcast backend: the items are a {@link HazelcastQueue} ({@code IQueue});
 * the count of unfinished items is a {@code Long} in the backend's sync map. A put counts before the
 * item is offered (and takes the count back if the put fails), so a consumer's {@code taskDone} can
 * never find it not yet counted; {@code join} waits for the count to reach zero.
 */
final class HazelcastJoinableQueue<T> extends SyncHandle implements JoinableQueue<T> {

  @Serial private static final long serialVersionUID = 1L;

  private final Queue<T> items;

  HazelcastJoinableQueue(HazelcastInstance hz, String backendId, String cluster, String map, String key, Queue<T> items) {
    super(hz, backendId, cluster, map, key);
    this.items = items;
  }

  private void add(long delta) {
    once(m -> {
      while (true) {
        long v = longOf(m.get(key));
        if (m.replace(key, v, v + delta)) {
          return Boolean.TRUE;
        }
      }
    });
  }

  @Override
  public void put(T item) throws InterruptedException {
    Objects.requireNonNull(item, "item");
    add(1);
    boolean done = false;
    try {
      items.put(item);
      done = true;
    } finally {
      if (!done) {
        add(-1);
      }
    }
  }

  @Override
  public boolean put(T item, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(timeout, "timeout");
    add(1);
    boolean done = false;
    try {
      done = items.put(item, timeout);
      return done;
    } finally {
      if (!done) {
        add(-1);
      }
    }
  }

  @Override
  public boolean tryPut(T item) {
    Objects.requireNonNull(item, "item");
    add(1);
    boolean done = false;
    try {
      done = items.tryPut(item);
      return done;
    } finally {
      if (!done) {
        add(-1);
      }
    }
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
  public void taskDone() {
    boolean ok = once(m -> {
      while (true) {
        long v = longOf(m.get(key));
        if (v <= 0) {
          return false;
        }
        if (m.replace(key, v, v - 1)) {
          return true;
        }
      }
    });
    if (!ok) {
      throw new IllegalStateException("taskDone on " + this + " called more times than items were put");
    }
  }

  @Override
  public void join() throws InterruptedException {
    waitFor(m -> longOf(m.get(key)) == 0 ? Boolean.TRUE : null, Long.MAX_VALUE);
  }

  @Override
  public boolean join(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    return waitFor(m -> longOf(m.get(key)) == 0 ? Boolean.TRUE : null, timeout.toNanos()) != null;
  }

  @Override
  public String toString() {
    return "JoinableQueue{" + key + "}";
  }
}
