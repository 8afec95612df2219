package dev.multiproc.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.multiproc.Event;
import dev.multiproc.engine.LocalEvent;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * An event of the hazelcast backend, without the CP subsystem (Enterprise-only since 5.5): an entry
 * of the backend's events {@link IMap} whose value counts transitions, odd while set. {@code set}
 * and {@code clear} move it on by compare-and-set ({@code replace}), so no class of ours runs on
 * the members for events. A waiter notes the highest count this JVM's listener has reported, reads
 * the count {@code v} (odd: set, done), then waits until the listener reports a {@code set} above
 * the noted count, or a re-check finds a count above {@code v}: a {@code set} happened after it
 * began waiting, even if a {@code clear} followed at once. (A {@code set} made just before the
 * wait began, whose notification arrives after it began, also wakes it: at worst a wait returns
 * true for a {@code set} a few milliseconds old that was cleared meanwhile.)
 */
final class HazelcastEvent implements Event, Serializable, HazelcastBackend.Detachable {

  @Serial private static final long serialVersionUID = 1L;

  private final String backendId;
  private final String cluster;
  private final String map;
  private final String key;
  private transient volatile HazelcastInstance hz;
  private transient volatile LocalEvent detached;

  HazelcastEvent(HazelcastInstance hz, String backendId, String cluster, String map, String key) {
    this.hz = hz;
    this.backendId = backendId;
    this.cluster = cluster;
    this.map = map;
    this.key = key;
  }

  private IMap<String, Long> m() {
    HazelcastInstance h = hz;
    if (h == null) {
      h = Instances.resolve(backendId, cluster);
      hz = h;
    }
    return h.getMap(map);
  }

  private long count(IMap<String, Long> m) {
    Long v = m.get(key);
    return v == null ? 0 : v;
  }

  @Override
  public void set() {
    move(true);
  }

  @Override
  public void clear() {
    move(false);
  }

  private void move(boolean set) {
    LocalEvent local = detached;
    if (local != null) {
      if (set) {
        local.set();
      } else {
        local.clear();
      }
      return;
    }
    try {
      IMap<String, Long> m = m();
      while (true) {
        Long v = m.get(key);
        long now = v == null ? 0 : v;
        if ((now % 2 == 1) == set) {
          return;
        }
        if (v == null ? m.putIfAbsent(key, 1L) == null : m.replace(key, v, now + 1)) {
          return;
        }
      }
    } catch (RuntimeException e) {
      if (detached != null) {
        move(set);
        return;
      }
      throw Remote.translate(e, toString());
    }
  }

  @Override
  public boolean isSet() {
    LocalEvent local = detached;
    if (local != null) {
      return local.isSet();
    }
    try {
      return count(m()) % 2 == 1;
    } catch (RuntimeException e) {
      if (detached != null) {
        return isSet();
      }
      throw Remote.translate(e, toString());
    }
  }

  @Override
  public void await() throws InterruptedException {
    waitFor(Long.MAX_VALUE);
  }

  @Override
  public boolean await(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    return waitFor(timeout.toNanos());
  }

  private boolean waitFor(long nanos) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    long deadline = System.nanoTime() + nanos;
    LocalEvent local = detached;
    if (local != null) {
      return nanos == Long.MAX_VALUE ? awaitLocal(local) : local.await(Duration.ofNanos(nanos));
    }
    try {
      IMap<String, Long> m = m();
      Signals.Signal s = Signals.of(hz).event(m, key); // listening before the first read
      long mark = s.value();
      long start = count(m);
      if (start % 2 == 1) {
        return true;
      }
      while (true) {
        long left = nanos == Long.MAX_VALUE ? Signals.RECHECK_NANOS : deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        if (s.awaitSetAbove(mark, Math.min(left, Signals.RECHECK_NANOS)) || count(m) > start) {
          return true;
        }
        if (detached != null) {
          return waitFor(nanos == Long.MAX_VALUE ? nanos : Math.max(0, deadline - System.nanoTime()));
        }
      }
    } catch (RuntimeException e) {
      if (Remote.interrupted(e)) {
        throw new InterruptedException("interrupted while waiting on " + this);
      }
      if (detached != null) {
        return waitFor(nanos == Long.MAX_VALUE ? nanos : Math.max(0, deadline - System.nanoTime()));
      }
      throw Remote.translate(e, toString());
    }
  }

  private static boolean awaitLocal(LocalEvent local) throws InterruptedException {
    local.await();
    return true;
  }

  @Override
  public void detach() {
    LocalEvent local = new LocalEvent();
    try {
      if (count(m()) % 2 == 1) {
        local.set();
      }
    } catch (RuntimeException e) {
      // the cluster is gone: the event stays as it was last seen, cleared
    }
    detached = local;
  }

  @Override
  public void destroy() {
    // the backend destroys its events map as a whole
  }

  @Serial
  private Object writeReplace() {
    return new Ref(backendId, cluster, map, key);
  }

  /** What travels: names only. */
  private record Ref(String backendId, String cluster, String map, String key) implements Serializable {
    @Serial
    private Object readResolve() {
      return new HazelcastEvent(null, backendId, cluster, map, key);
    }
  }

  @Override
  public String toString() {
    return "Event{" + key + (detached != null ? ", detached" : "") + "}";
  }
}
