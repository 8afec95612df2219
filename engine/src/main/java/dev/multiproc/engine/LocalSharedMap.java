package dev.multiproc.engine;

import dev.multiproc.SharedMap;
import dev.multiproc.TaskFailedException;
import dev.multiproc.TaskFunction;
import java.io.Serial;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link SharedMap} in this JVM: a {@link ConcurrentHashMap} holding the objects themselves.
 * {@link #compute} runs the function once, inside the map's bin lock (so it should be short).
 *
 * <p>Internal: shared by the backends (the process backend keeps its maps' entries here,
 * values encoded), no compatibility promise.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class LocalSharedMap<K, V> implements SharedMap<K, V> {

  private final ConcurrentHashMap<K, V> map = new ConcurrentHashMap<>();

  /** @return the entries, for a backend that serves them to other JVMs */
  public ConcurrentHashMap<K, V> map() {
    return map;
  }

  @Override
  public V get(K key) {
    return map.get(Objects.requireNonNull(key, "key"));
  }

  @Override
  public V put(K key, V value) {
    return map.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
  }

  @Override
  public V putIfAbsent(K key, V value) {
    return map.putIfAbsent(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
  }

  @Override
  public V remove(K key) {
    return map.remove(Objects.requireNonNull(key, "key"));
  }

  @Override
  public boolean containsKey(K key) {
    return map.containsKey(Objects.requireNonNull(key, "key"));
  }

  @Override
  public int size() {
    return map.size();
  }

  @Override
  public void clear() {
    map.clear();
  }

  @Override
  public V compute(K key, TaskFunction<? super V, ? extends V> update) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(update, "update");
    try {
      return map.compute(key, (k, old) -> {
        try {
          return update.apply(old);
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new Checked(e);
        }
      });
    } catch (Checked c) {
      throw failed(c.getCause());
    }
  }

  /**
   * The exception {@link SharedMap#compute} throws for a checked exception of its function.
   *
   * @param cause what the function threw
   * @return the exception to throw
   */
  public static TaskFailedException failed(Throwable cause) {
    return new TaskFailedException("the update function of SharedMap.compute threw " + cause, cause, -1);
  }

  /** Carries a checked exception out of the map's remapping function. */
  private static final class Checked extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    Checked(Exception cause) {
      super(cause);
    }
  }

  @Override
  public Map<K, V> snapshot() {
    return new HashMap<>(map);
  }

  @Override
  public String toString() {
    return "LocalSharedMap{size=" + size() + "}";
  }
}
