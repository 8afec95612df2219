package dev.multiproc.hazelcast;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The common part of the toolbox handles of the hazelcast backend (Lock, RLock, Semaphore, Value,
 * Barrier, the JoinableQueue's count, the Pipe's closed flags), without the Enterprise-only CP
 * subsystem: the state of each is one entry of the backend's sync {@link IMap}, a JDK value
 * ({@code Long} or {@code String}) changed only by compare-and-set ({@code putIfAbsent},
 * {@code replace(key, old, new)}, {@code remove(key, old)}), so no class of ours runs on the members
 * and a change is atomic cluster-wide. A waiter notes how many changes this JVM's entry listener has
 * seen for its key, tries, and then sleeps until the listener reports a change or at most
 * {@link Signals#RECHECK_NANOS} passed: a notification lost with a member costs latency, never a
 * hang. Handles travel as names (the instance is transient) and resolve to whichever member or client
 * of the backend's cluster runs in the receiving JVM.
 */
abstract class SyncHandle implements Serializable {

  @Serial private static final long serialVersionUID = 1L;

  private static final Map<HazelcastInstance, Map<String, Map<String, Signals.Signal>>> SIGNALS = new ConcurrentHashMap<>();
  private static final ReentrantLock SIGNALS_LOCK = new ReentrantLock();

  final String backendId;
  final String cluster;
  final String map;
  final String key;
  private transient volatile HazelcastInstance hz;

  SyncHandle(HazelcastInstance hz, String backendId, String cluster, String map, String key) {
    this.hz = hz;
    this.backendId = backendId;
    this.cluster = cluster;
    this.map = map;
    this.key = key;
  }

  final HazelcastInstance hz() {
    HazelcastInstance h = hz;
    if (h == null) {
      h = Instances.resolve(backendId, cluster);
      hz = h;
    }
    return h;
  }

  final IMap<String, Object> m() {
    return hz().getMap(map);
  }

  /** One try at what a caller waits for. */
  interface Attempt<R> {
    /** @return the result, or null to keep waiting */
    R attempt(IMap<String, Object> m) throws Exception;
  }

  /**
   * Tries {@code a} until it returns non-null, at most {@code nanos} ({@link Long#MAX_VALUE}: no
   * limit; zero or less: once).
   *
   * @return its result, or null on timeout
   * @throws InterruptedException if interrupted (checked first)
   */
  final <R> R waitFor(Attempt<R> a, long nanos) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted while waiting on " + this);
    }
    long deadline = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, nanos);
    try {
      IMap<String, Object> m = m();
      Signals.Signal s = signal(hz(), m, key);
      while (true) {
        long mark = s.value();
        R r = a.attempt(m);
        if (r != null) {
          return r;
        }
        long left = nanos == Long.MAX_VALUE ? Signals.RECHECK_NANOS : deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        s.awaitAbove(mark, Math.min(left, Signals.RECHECK_NANOS));
      }
    } catch (InterruptedException e) {
      throw e;
    } catch (RuntimeException e) {
      if (Remote.interrupted(e)) {
        Thread.interrupted();
        throw new InterruptedException("interrupted while waiting on " + this);
      }
      throw Remote.translate(e, toString());
    } catch (Exception e) {
      throw new IllegalStateException(this + ": " + e, e);
    }
  }

  /** Runs {@code a} once, translating Hazelcast's failures. */
  final <R> R once(Attempt<R> a) {
    try {
      return a.attempt(m());
    } catch (RuntimeException e) {
      throw Remote.translate(e, toString());
    } catch (Exception e) {
      throw new IllegalStateException(this + ": " + e, e);
    }
  }

  /** Starts listening to this handle's key in this JVM (before anyone waits, for the creator). */
  final void listen() {
    try {
      signal(hz(), m(), key);
    } catch (RuntimeException e) {
      throw Remote.translate(e, toString());
    }
  }

  /** @return an identity of the calling thread, unique across the cluster */
  final String caller() {
    return hz().getLocalEndpoint().getUuid() + "/" + Thread.currentThread().threadId();
  }

  static long longOf(Object v) {
    return v == null ? 0 : (Long) v;
  }

  /** Sets {@code key} to {@code value} unless it has one: the initial state of a new handle. */
  final void init(Object value) {
    once(m -> m.putIfAbsent(key, value));
  }

  private static Signals.Signal signal(HazelcastInstance hz, IMap<String, Object> m, String key) {
    Map<String, Map<String, Signals.Signal>> byMap = SIGNALS.get(hz);
    Map<String, Signals.Signal> byKey = byMap == null ? null : byMap.get(m.getName());
    Signals.Signal s = byKey == null ? null : byKey.get(key);
    if (s != null) {
      return s;
    }
    SIGNALS_LOCK.lock(); // registration is a cluster call, but a short one made once per map and JVM
    try {
      byMap = SIGNALS.get(hz);
      if (byMap == null) {
        byMap = new ConcurrentHashMap<>();
        SIGNALS.put(hz, byMap);
        hz.getLifecycleService().addLifecycleListener(e -> {
          if (e.getState() == LifecycleEvent.LifecycleState.SHUTDOWN) {
            SIGNALS.remove(hz);
          }
        });
      }
      byKey = byMap.get(m.getName());
      if (byKey == null) {
        byKey = new ConcurrentHashMap<>();
        m.addEntryListener(new Bumper(byKey), false);
        byMap.put(m.getName(), byKey);
      }
      return byKey.computeIfAbsent(key, k -> new Signals.Signal());
    } finally {
      SIGNALS_LOCK.unlock();
    }
  }

  /** Bumps the signal of any key that is added, changed or removed. */
  private record Bumper(Map<String, Signals.Signal> byKey)
      implements EntryAddedListener<String, Object>, EntryUpdatedListener<String, Object>, EntryRemovedListener<String, Object> {
    @Override
    public void entryAdded(EntryEvent<String, Object> event) {
      bump(event);
    }

    @Override
    public void entryUpdated(EntryEvent<String, Object> event) {
      bump(event);
    }

    @Override
    public void entryRemoved(EntryEvent<String, Object> event) {
      bump(event);
    }

    private void bump(EntryEvent<String, Object> event) {
      Signals.Signal s = byKey.get(event.getKey());
      if (s != null) {
        s.bump();
      }
    }
  }
}
