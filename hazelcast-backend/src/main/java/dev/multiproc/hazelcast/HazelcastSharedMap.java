package dev.multiproc.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.multiproc.SharedMap;
import dev.multiproc.TaskFunction;
import java.io.Serial;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A SharedMap of the hazelcast backend: an {@code IMap} of its own whose keys and values are the
 * Java-serialized bytes of the caller's ({@link Shipping}), so the members need none of the
 * caller's classes, and what cannot travel fails with a {@code NotShippableException} naming it.
 * Keys are therefore equal when their serialized forms are (true of strings, numbers, records and
 * enums of such; not of a key whose serialized form depends on its history, like a {@code HashMap}).
 * {@code compute} is optimistic: it reads, applies the function here, and writes by compare-and-set,
 * applying it again if another worker changed the entry meanwhile; a function that throws changes
 * nothing.
 */
final class HazelcastSharedMap<K, V> implements SharedMap<K, V>, Serializable, HazelcastBackend.Detachable {

  @Serial private static final long serialVersionUID = 1L;

  private final String backendId;
  private final String cluster;
  private final String name;
  private transient volatile HazelcastInstance hz;

  HazelcastSharedMap(HazelcastInstance hz, String backendId, String cluster, String name) {
    this.hz = hz;
    this.backendId = backendId;
    this.cluster = cluster;
    this.name = name;
  }

  private IMap<byte[], byte[]> m() {
    HazelcastInstance h = hz;
    if (h == null) {
      h = Instances.resolve(backendId, cluster);
      hz = h;
    }
    return h.getMap(name);
  }

  private byte[] key(Object k) {
    return Shipping.serialize(Objects.requireNonNull(k, "key"), "a key of " + this);
  }

  private byte[] value(Object v) {
    return Shipping.serialize(Objects.requireNonNull(v, "value"), "a value of " + this);
  }

  @SuppressWarnings("unchecked")
  private <X> X read(byte[] bytes) {
    return bytes == null ? null : (X) Shipping.deserialize(bytes, "an entry of " + this);
  }

  private <R> R call(java.util.function.Supplier<R> s) {
    try {
      return s.get();
    } catch (RuntimeException e) {
      throw Remote.translate(e, toString());
    }
  }

  @Override
  public V get(K key) {
    byte[] k = key(key);
    return read(call(() -> m().get(k)));
  }

  @Override
  public V put(K key, V value) {
    byte[] k = key(key);
    byte[] v = value(value);
    return read(call(() -> m().put(k, v)));
  }

  @Override
  public V putIfAbsent(K key, V value) {
    byte[] k = key(key);
    byte[] v = value(value);
    return read(call(() -> m().putIfAbsent(k, v)));
  }

  @Override
  public V remove(K key) {
    byte[] k = key(key);
    return read(call(() -> m().remove(k)));
  }

  @Override
  public boolean containsKey(K key) {
    byte[] k = key(key);
    return call(() -> m().containsKey(k));
  }

  @Override
  public int size() {
    return call(() -> m().size());
  }

  @Override
  public void clear() {
    call(() -> {
      m().clear();
      return Boolean.TRUE;
    });
  }

  @Override
  public V compute(K key, TaskFunction<? super V, ? extends V> update) {
    Objects.requireNonNull(update, "update");
    byte[] k = key(key);
    IMap<byte[], byte[]> m = call(this::m);
    while (true) {
      byte[] old = call(() -> m.get(k));
      V before = read(old);
      V after;
      try {
        after = update.apply(before);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw dev.multiproc.engine.LocalSharedMap.failed(e);
      }
      byte[] now = after == null ? null : value(after);
      boolean done;
      if (old == null) {
        done = now == null ? !call(() -> m.containsKey(k)) : call(() -> m.putIfAbsent(k, now)) == null;
      } else {
        done = now == null ? call(() -> m.remove(k, old)) : Arrays.equals(old, now) || call(() -> m.replace(k, old, now));
      }
      if (done) {
        return after;
      }
    }
  }

  @Override
  public Map<K, V> snapshot() {
    Map<K, V> copy = new HashMap<>();
    for (Map.Entry<byte[], byte[]> e : call(() -> m().entrySet())) {
      copy.put(read(e.getKey()), read(e.getValue()));
    }
    return copy;
  }

  /** Nothing: once the backend is closed, its shared maps are unreachable (they keep no local copy). */
  @Override
  public void detach() {}

  /** A client's backend, closing, removes its maps from the cluster, which outlives it. */
  @Override
  public void destroy() {
    try {
      m().destroy();
    } catch (RuntimeException e) {
      // best effort: the cluster may be gone
    }
  }

  @Override
  public String toString() {
    return "SharedMap{" + name + "}";
  }
}
