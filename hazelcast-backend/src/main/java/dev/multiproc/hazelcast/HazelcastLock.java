package dev.multiproc.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import dev.multiproc.Lock;
import java.io.Serial;
import java.time.Duration;
import java.util.Objects;

/**
 * A Lock or RLock of the hazelcast backend: one entry of the backend's sync map, absent while free.
 * A Lock's value names the endpoint (member or client) that took it; anyone may release it. An
 * RLock's value is {@code "<endpoint uuid>/<thread id>/<count>"}: reentrant for that thread, released
 * only by it. Not {@code IMap.lock}: that lock is reentrant for its owner thread and only its owner
 * may unlock it, which fits neither the Lock (released by anyone, not reentrant) nor a holder that
 * waits in a Hazelcast-pooled thread. Like Python's locks, one held by a process that dies stays
 * held: {@code abort}-style recovery is the application's.
 */
final class HazelcastLock extends SyncHandle implements Lock {

  @Serial private static final long serialVersionUID = 1L;

  private final boolean reentrant;

  HazelcastLock(HazelcastInstance hz, String backendId, String cluster, String map, String key, boolean reentrant) {
    super(hz, backendId, cluster, map, key);
    this.reentrant = reentrant;
  }

  @Override
  public void acquire() throws InterruptedException {
    waitFor(m -> tryOnce(m) ? Boolean.TRUE : null, Long.MAX_VALUE);
  }

  @Override
  public boolean acquire(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    return waitFor(m -> tryOnce(m) ? Boolean.TRUE : null, timeout.toNanos()) != null;
  }

  @Override
  public boolean tryAcquire() {
    return once(this::tryOnce);
  }

  private boolean tryOnce(com.hazelcast.map.IMap<String, Object> m) {
    if (!reentrant) {
      return m.putIfAbsent(key, hz().getLocalEndpoint().getUuid().toString()) == null;
    }
    String me = caller();
    while (true) {
      Object v = m.get(key);
      if (v == null) {
        if (m.putIfAbsent(key, me + "/1") == null) {
          return true;
        }
        continue;
      }
      String s = (String) v;
      int cut = s.lastIndexOf('/');
      if (!s.substring(0, cut).equals(me)) {
        return false;
      }
      long count = Long.parseLong(s.substring(cut + 1));
      if (m.replace(key, s, me + "/" + (count + 1))) {
        return true;
      }
    }
  }

  @Override
  public void release() {
    boolean released = once(m -> {
      if (!reentrant) {
        Object v = m.remove(key);
        return v != null;
      }
      String me = caller();
      while (true) {
        Object v = m.get(key);
        if (v == null) {
          return false;
        }
        String s = (String) v;
        int cut = s.lastIndexOf('/');
        if (!s.substring(0, cut).equals(me)) {
          return false;
        }
        long count = Long.parseLong(s.substring(cut + 1));
        if (count <= 1 ? m.remove(key, s) : m.replace(key, s, me + "/" + (count - 1))) {
          return true;
        }
      }
    });
    if (!released) {
      throw new IllegalStateException(reentrant
          ? "release of " + this + ": the calling thread does not hold it (only its holder may release an RLock)"
          : "release of " + this + ": it is not locked");
    }
  }

  @Override
  public Held hold() throws InterruptedException {
    acquire();
    return new Held() {
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
    return (reentrant ? "RLock{" : "Lock{") + key + "}";
  }
}
