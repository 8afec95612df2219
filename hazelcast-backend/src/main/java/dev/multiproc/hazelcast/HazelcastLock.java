package dev.multiproc.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.multiproc.Lock;
import java.io.Serial;
import java.time.Duration;
import java.util.Objects;

/**
 * A Lock or RLock of the hazelcast backend, on Hazelcast's own per-key {@code IMap} lock (of the
 * key {@code <key>:held} in the backend's sync map; no CP subsystem). That lock belongs to the
 * thread that took it and to its member or client: when a member leaves the cluster, or a client
 * disconnects, Hazelcast releases the locks it held, so a worker's JVM that dies holding one does
 * not block the others forever (unlike Python, where such a lock stays held). An RLock is that lock
 * as it is: reentrant, and only its holder may {@code unlock} it. A Lock is not reentrant (a
 * {@code tryLock} is made only while the key is not locked at all) and anyone may release it
 * ({@code forceUnlock}). Waiters never block inside Hazelcast (an interrupted blocking
 * {@code lock} could still take the lock after its caller gave up): they {@code tryLock} and sleep
 * until a release bumps the handle's own entry ({@code <key>}), re-trying at least every
 * {@link Signals#RECHECK_NANOS}, which also covers a lock freed by a member's departure.
 */
final class HazelcastLock extends SyncHandle implements Lock {

  @Serial private static final long serialVersionUID = 1L;

  private final boolean reentrant;
  private final String held;

  HazelcastLock(HazelcastInstance hz, String backendId, String cluster, String map, String key, boolean reentrant) {
    super(hz, backendId, cluster, map, key);
    this.reentrant = reentrant;
    this.held = key + ":held";
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

  private boolean tryOnce(IMap<String, Object> m) {
    if (!reentrant && m.isLocked(held)) {
      return false; // taken, perhaps by this very thread: a Lock is not reentrant
    }
    return m.tryLock(held);
  }

  @Override
  public void release() {
    boolean released = once(m -> {
      if (!reentrant) {
        if (!m.isLocked(held)) {
          return false;
        }
        m.forceUnlock(held);
      } else {
        try {
          m.unlock(held);
        } catch (IllegalMonitorStateException e) {
          return false;
        }
      }
      m.set(key, System.nanoTime()); // wakes the waiters in every JVM
      return true;
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
