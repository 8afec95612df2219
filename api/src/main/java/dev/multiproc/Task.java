package dev.multiproc;

import java.io.Serializable;

/**
 * The body of a {@link Worker}: Python's {@code Process(target=f)} or {@code Thread(target=f)}.
 *
 * <p>It is {@link Serializable} so that the process and cluster backends can send it to another
 * JVM. A lambda assigned to this type is serializable by itself; everything it captures must be
 * serializable too (or be a {@link Queue} or {@link Event} handle made by the same backend). On the
 * thread backends nothing is serialized.
 */
@FunctionalInterface
public interface Task extends Serializable {

  /**
   * Runs the task.
   *
   * @throws Exception anything; it becomes the worker's {@link Worker#failure() failure} and makes
   *     its {@link Worker#exitCode() exit code} 1
   */
  void run() throws Exception;
}
