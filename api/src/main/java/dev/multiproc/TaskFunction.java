package dev.multiproc;

import java.io.Serializable;

/**
 * A function applied to each item by {@link Pool#map}, {@link Pool#imap} and
 * {@link Pool#imapUnordered}: the {@code f} of Python's {@code pool.map(f, xs)}.
 *
 * <p>It is {@link Serializable} so that the process and cluster backends can send it to another
 * JVM; it is sent once per worker per call, not once per item.
 *
 * @param <T> the item type
 * @param <R> the result type
 */
@FunctionalInterface
public interface TaskFunction<T, R> extends Serializable {

  /**
   * Computes the result for one item.
   *
   * @param item the item, never null
   * @return the result; null is allowed
   * @throws Exception anything; the call that applied it fails with a {@link TaskFailedException}
   *     naming the item's index
   */
  R apply(T item) throws Exception;
}
