package dev.multiproc;

import java.io.Serializable;

/**
 * A task that returns a value, given to {@link Pool#submit}: Python's {@code pool.apply_async(f)}.
 *
 * <p>It is {@link Serializable} so that the process and cluster backends can send it to another JVM.
 *
 * @param <R> the result type
 */
@FunctionalInterface
public interface TaskCallable<R> extends Serializable {

  /**
   * Computes the result.
   *
   * @return the result; null is allowed
   * @throws Exception anything; the future returned by {@link Pool#submit} completes exceptionally
   *     with it
   */
  R call() throws Exception;
}
