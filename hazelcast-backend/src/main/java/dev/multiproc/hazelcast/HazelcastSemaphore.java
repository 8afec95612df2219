package dev.multiproc.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.multiproc.Lock;
import dev.multiproc.Semaphore;
import java.io.Serial;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A Semaphore or BoundedSemaphore of the hazelcast backend: one {@code String} entry of the
 * backend's sync map, {@code "<free> <holder>=<n> ..."}, changed by compare-and-set. A holder is
 * the member or client (its UUID) of the JVM that took the permits, so that when a member leaves
 * the cluster the backend gives back what was taken there ({@link #releaseHeldBy}, run by
 * {@link MemberLoss}), as the process backend does for a dead child: unlike Python, where such
 * permits are lost. A release by a JVM that holds none counts against another holder, so the
 * permits on record never exceed those taken out ({@code initial - free}), as in the engine's
 * {@code LocalSemaphore}.
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

  /** The initial state of a semaphore of {@code permits}. */
  static String initial(int permits) {
    return Integer.toString(permits);
  }

  /** The free permits and, per holder, how many it took. */
  private record State(long free, Map<String, Long> held) {
    static State of(Object v) {
      if (v == null) {
        return new State(0, new LinkedHashMap<>());
      }
      String[] p = ((String) v).split(" ");
      Map<String, Long> held = new LinkedHashMap<>();
      for (int i = 1; i < p.length; i++) {
        int eq = p[i].indexOf('=');
        held.put(p[i].substring(0, eq), Long.parseLong(p[i].substring(eq + 1)));
      }
      return new State(Long.parseLong(p[0]), held);
    }

    long heldTotal() {
      long n = 0;
      for (long h : held.values()) {
        n += h;
      }
      return n;
    }

    String text() {
      StringBuilder b = new StringBuilder().append(free);
      held.forEach((k, n) -> b.append(' ').append(k).append('=').append(n));
      return b.toString();
    }
  }

  private String holder() {
    return hz().getLocalEndpoint().getUuid().toString();
  }

  private boolean take(IMap<String, Object> m) {
    String me = holder();
    while (true) {
      Object v = m.get(key);
      State s = State.of(v);
      if (s.free <= 0) {
        return false;
      }
      s.held.merge(me, 1L, Long::sum);
      if (m.replace(key, v, new State(s.free - 1, s.held).text())) {
        return true;
      }
    }
  }

  @Override
  public void acquire() throws InterruptedException {
    waitFor(m -> take(m) ? Boolean.TRUE : null, Long.MAX_VALUE);
  }

  @Override
  public boolean acquire(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    return waitFor(m -> take(m) ? Boolean.TRUE : null, timeout.toNanos()) != null;
  }

  @Override
  public boolean tryAcquire() {
    return once(this::take);
  }

  @Override
  public void release() {
    String me = holder();
    boolean ok = once(m -> {
      while (true) {
        Object v = m.get(key);
        State s = State.of(v);
        if (bounded && s.free >= initial) {
          return false;
        }
        long free = s.free + 1;
        if (!s.held.isEmpty() && s.heldTotal() > Math.max(0, initial - free)) {
          String from = s.held.containsKey(me) ? me : s.held.keySet().iterator().next();
          s.held.computeIfPresent(from, (k, n) -> n == 1 ? null : n - 1);
        }
        if (m.replace(key, v, new State(free, s.held).text())) {
          return true;
        }
      }
    });
    if (!ok) {
      throw new IllegalStateException("release of " + this + " would exceed its initial count of " + initial
          + ": released more times than acquired");
    }
  }

  /**
   * Gives back the permits that member or client {@code holder} took.
   *
   * @return how many
   */
  static long releaseHeldBy(IMap<String, Object> m, String key, String holder) {
    while (true) {
      Object v = m.get(key);
      if (v == null) {
        return 0;
      }
      State s = State.of(v);
      Long n = s.held.remove(holder);
      if (n == null) {
        return 0;
      }
      if (m.replace(key, v, new State(s.free + n, s.held).text())) {
        return n;
      }
    }
  }

  /** @return whether {@code key} in the sync map is a semaphore's */
  static boolean isSemaphore(String key) {
    return key.startsWith("sem.");
  }

  @Override
  public int available() {
    return (int) (long) once(m -> State.of(m.get(key)).free);
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
