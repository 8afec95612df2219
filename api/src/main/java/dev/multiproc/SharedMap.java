package dev.multiproc;

import java.util.Map;

/**
 * A map that every worker of the backend sees: Python's {@code multiprocessing.Manager().dict()},
 * made by {@link Multiproc#sharedMap()}. Each operation is atomic; null keys and values are refused
 * with {@link NullPointerException}.
 *
 * <p>A task may capture the map and use it inside any worker of the backend that made it. On the
 * process backend the entries live in the parent JVM, keys and values must be serializable, and a
 * value read from the map is a copy (as with a manager's proxy: changing it does not change the
 * entry; put it back). On the in-JVM backends the map holds the objects themselves. No method
 * blocks for long, except that {@link #compute} runs the caller's function.
 *
 * <h2>Memory consistency</h2>
 *
 * As {@link java.util.concurrent.ConcurrentMap}: actions before a write of an entry happen-before
 * the actions after a read that sees it.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface SharedMap<K, V> {

  /**
   * The value of {@code key}: a copy where the map lives in another JVM.
   *
   * @param key the key
   * @return the value, or null if there is none
   * @throws NullPointerException if {@code key} is null
   */
  V get(K key);

  /**
   * Sets the value of {@code key}.
   *
   * @param key the key
   * @param value the value
   * @return the previous value, or null if there was none
   * @throws NullPointerException if an argument is null
   * @throws NotShippableException if the key or value must travel and cannot be serialized
   */
  V put(K key, V value);

  /**
   * Puts the entry unless the key has a value.
   *
   * @param key the key
   * @param value the value
   * @return the value already there (nothing changed), or null if the entry was added
   * @throws NullPointerException if an argument is null
   */
  V putIfAbsent(K key, V value);

  /**
   * Removes the entry of {@code key}.
   *
   * @param key the key
   * @return the removed value, or null if there was none
   * @throws NullPointerException if {@code key} is null
   */
  V remove(K key);

  /**
   * Whether {@code key} has a value.
   *
   * @param key the key
   * @return true if the key has a value
   * @throws NullPointerException if {@code key} is null
   */
  boolean containsKey(K key);

  /**
   * The number of entries.
   *
   * @return the number of entries; approximate while others change the map
   */
  int size();

  /** Removes every entry. Not atomic with respect to concurrent puts. */
  void clear();

  /**
   * Replaces the key's value with {@code update(old)} atomically: {@code old} is null when the key
   * has no value; a null result removes the entry. The function runs in the calling worker. When
   * other workers change the same entry meanwhile it may be applied more than once, and only the
   * application whose input was current counts (as {@link java.util.concurrent.ConcurrentMap}'s
   * default {@code compute}): keep it free of side effects.
   *
   * @param key the key
   * @param update computes the new value from the old one
   * @return the new value, or null if the entry was removed (or stayed absent)
   * @throws NullPointerException if {@code key} or {@code update} is null
   * @throws TaskFailedException if {@code update} threw a checked exception (its cause); an
   *     unchecked one is rethrown as is. The entry is then unchanged.
   */
  V compute(K key, TaskFunction<? super V, ? extends V> update);

  /**
   * A copy of the entries as they are now, like Python's {@code dict(proxy)}; not atomic with
   * respect to concurrent changes.
   *
   * @return a new mutable map, independent of this one
   */
  Map<K, V> snapshot();
}
