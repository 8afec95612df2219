package dev.multiproc.hazelcast;

import com.hazelcast.collection.IQueue;
import com.hazelcast.collection.ItemEvent;
import com.hazelcast.collection.ItemListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wake-ups for callers in this JVM that wait on a cluster queue or event: one Hazelcast listener
 * per queue (item added or removed) and one per events map (an entry's new value), registered on
 * first wait and kept while the instance runs. Waiters never rely on a wake-up alone: they re-check
 * the cluster's state at least every {@link #RECHECK_NANOS}, so a notification lost with a member
 * costs latency, never a hang.
 */
final class Signals {

  /** The longest a waiter goes without looking at the cluster's state itself. */
  static final long RECHECK_NANOS = 500_000_000L;

  private static final ReentrantLock ALL_LOCK = new ReentrantLock();
  private static final Map<HazelcastInstance, Signals> ALL = new HashMap<>();

  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, Signal> queues = new HashMap<>();
  private final Map<String, Map<String, Signal>> events = new HashMap<>();
  private final Set<String> listenedMaps = new HashSet<>();

  private Signals() {}

  /** @return the signals of this JVM's use of {@code hz} */
  static Signals of(HazelcastInstance hz) {
    ALL_LOCK.lock();
    try {
      Signals s = ALL.get(hz);
      if (s == null) {
        s = new Signals();
        ALL.put(hz, s);
        hz.getLifecycleService().addLifecycleListener(e -> {
          if (e.getState() == LifecycleEvent.LifecycleState.SHUTDOWN) {
            forget(hz);
          }
        });
      }
      return s;
    } finally {
      ALL_LOCK.unlock();
    }
  }

  private static void forget(HazelcastInstance hz) {
    ALL_LOCK.lock();
    try {
      ALL.remove(hz);
    } finally {
      ALL_LOCK.unlock();
    }
  }

  /** @return the signal bumped whenever an item is added to or removed from {@code q} */
  @SuppressWarnings({"unchecked", "rawtypes"})
  Signal queue(IQueue<?> q) {
    lock.lock();
    try {
      Signal s = queues.get(q.getName());
      if (s == null) {
        Signal created = new Signal();
        ((IQueue) q).addItemListener(new ItemListener<Object>() {
          @Override
          public void itemAdded(ItemEvent<Object> item) {
            created.bump();
          }

          @Override
          public void itemRemoved(ItemEvent<Object> item) {
            created.bump();
          }
        }, false);
        queues.put(q.getName(), created);
        s = created;
      }
      return s;
    } finally {
      lock.unlock();
    }
  }

  /** @return the signal that follows the value of {@code key} in the events map {@code map} */
  Signal event(IMap<String, Long> map, String key) {
    lock.lock();
    try {
      Map<String, Signal> byKey = events.computeIfAbsent(map.getName(), n -> new HashMap<>());
      if (listenedMaps.add(map.getName())) {
        map.addEntryListener(new EventListener(byKey), true);
      }
      return byKey.computeIfAbsent(key, k -> new Signal());
    } finally {
      lock.unlock();
    }
  }

  private final class EventListener implements EntryAddedListener<String, Long>, EntryUpdatedListener<String, Long> {
    private final Map<String, Signal> byKey;

    EventListener(Map<String, Signal> byKey) {
      this.byKey = byKey;
    }

    @Override
    public void entryAdded(EntryEvent<String, Long> event) {
      observe(event);
    }

    @Override
    public void entryUpdated(EntryEvent<String, Long> event) {
      observe(event);
    }

    private void observe(EntryEvent<String, Long> event) {
      Signal s;
      lock.lock();
      try {
        s = byKey.get(event.getKey());
      } finally {
        lock.unlock();
      }
      Long v = event.getValue();
      if (s != null && v != null) {
        s.observe(v);
      }
    }
  }

  /** A value that only grows, and a condition to wait for it to pass a mark. */
  static final class Signal {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition grew = lock.newCondition();
    private long value;
    private long setSeen;

    long value() {
      lock.lock();
      try {
        return value;
      } finally {
        lock.unlock();
      }
    }

    void bump() {
      lock.lock();
      try {
        value++;
        grew.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void observe(long v) {
      lock.lock();
      try {
        if (v > value) {
          value = v;
          grew.signalAll();
        }
        if (v % 2 == 1 && v > setSeen) {
          setSeen = v;
          grew.signalAll();
        }
      } finally {
        lock.unlock();
      }
    }

    /**
     * Waits until an odd value (an event's {@code set}) above {@code mark} is observed, at most
     * {@code nanos}.
     *
     * @return true if one is
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitSetAbove(long mark, long nanos) throws InterruptedException {
      lock.lock();
      try {
        while (setSeen <= mark) {
          if (nanos <= 0) {
            return false;
          }
          nanos = grew.awaitNanos(nanos);
        }
        return true;
      } finally {
        lock.unlock();
      }
    }

    /**
     * Waits until the value exceeds {@code mark}, at most {@code nanos}.
     *
     * @return true if it does
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitAbove(long mark, long nanos) throws InterruptedException {
      lock.lock();
      try {
        while (value <= mark) {
          if (nanos <= 0) {
            return false;
          }
          nanos = grew.awaitNanos(nanos);
        }
        return true;
      } finally {
        lock.unlock();
      }
    }
  }
}
