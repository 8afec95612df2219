package dev.multiproc.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.multiproc.Lock;
import dev.multiproc.Semaphore;
import java.io.Serial;
import java.time.Duration;
import java.util.Objects;

/**
 * A Semaphore or BoundedSemaphore of the hazelcast backend: the count of free permits, a
 * {@code Long} in the backend's sync map changed by compare-and-set. A permit taken by a process
 * that dies is not given back, as in Python.
 */
final class HazelcastSemaphore extends SyncHandle implements Semaphore {

  @Serial private static final long serialVersionUID = 1L;

  private final int initial;
  private final boolean bounded;

  HazelcastSemaphore(HazelcastInstance hz, String backendId, String cluster, String map, String key, int initial, boolean bounded) {
    super(hz, backendId, cluster, map, key);
    this.initial = initial;
    this.bounded = bounded;
  }

  private static boolean take(IMap<String, Object> m, String key) {
    while (true) {
      long v = longOf(m.get(key));
      if (v <= 0) {
        return false;
      }
      if (m.replace(key, v, v - 1)) {
        return true;
      }
    }
  }

  @Override
  public void acquire() throws InterruptedException {
    waitFor(m -> take(m, key) ? Boolean.TRUE : null, Long.MAX_VALUE);
  }

  @Override
  public boolean acquire(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    return waitFor(m -> take(m, key) ? Boolean.TRUE : null, timeout.toNanos()) != null;
  }

  @Override
  public boolean tryAcquire() {
    return once(m -> take(m, key));
  }

  @Override
  public void release() {
    boolean ok = once(m -> {
      while (true) {
        long v = longOf(m.get(key));
        if (bounded && v >= initial) {
          return false;
        }
        if (m.replace(key, v, v + 1)) {
          return true;
        }
      }
    });
    if (!ok) {
      throw new IllegalStateException("release of " + this + " would exceed its initial count of " + initial
          + ": released more times than acquired");
    }
  }

  @Override
  public int available() {
    return (int) (long) once(m -> longOf(m.get(key)));
  }

  @Override
  public Lock.Held hold() throws InterruptedException {
    acquire();
    return new Lock.Held() {
      private boolean closed;

      @Override
      public void close() {
        if (!closed) {
          closed = true;
          release();
        }
      }
    };
  }

  @Override
  public String toString() {
    return (bounded ? "BoundedSemaphore{" : "Semaphore{") + key + "}";
  }
}
