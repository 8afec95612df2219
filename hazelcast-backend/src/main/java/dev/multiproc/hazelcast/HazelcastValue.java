package dev.multiproc.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import dev.multiproc.Value;
import java.io.Serial;

/** A Value of the hazelcast backend: a {@code Long} in the backend's sync map, changed by compare-and-set. */
final class HazelcastValue extends SyncHandle implements Value {

  @Serial private static final long serialVersionUID = 1L;

  HazelcastValue(HazelcastInstance hz, String backendId, String cluster, String map, String key) {
    super(hz, backendId, cluster, map, key);
  }

  @Override
  public long get() {
    return once(m -> longOf(m.get(key)));
  }

  @Override
  public void set(long value) {
    once(m -> {
      m.set(key, value);
      return Boolean.TRUE;
    });
  }

  @Override
  public long addAndGet(long delta) {
    return getAndAdd(delta) + delta;
  }

  @Override
  public long getAndAdd(long delta) {
    return once(m -> {
      while (true) {
        long v = longOf(m.get(key));
        if (m.replace(key, v, v + delta)) {
          return v;
        }
      }
    });
  }

  @Override
  public boolean compareAndSet(long expected, long newValue) {
    return once(m -> m.replace(key, expected, newValue));
  }

  @Override
  public String toString() {
    return "Value{" + key + "}";
  }
}
