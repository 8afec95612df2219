package dev.multiproc;

/**
 * A place where work runs, and the factory for everything that works together there: Python's
 * multiprocessing <em>context</em> ({@code mp.get_context('spawn')}).
 *
 * <p>Pools, queues, events and workers made by one backend work together: a task may capture a
 * {@link Queue} or {@link Event} of the same backend and use it from inside any worker of that
 * backend, even when the worker is another JVM. Mixing handles of different backends is not
 * supported.
 *
 * <p>Obtain one with {@link Multiproc#backend()} or {@link Multiproc#backend(String)} (shared,
 * closed at JVM exit), or open a private one through its
 * {@link dev.multiproc.spi.BackendProvider provider}. Implementations are thread-safe.
 */
public interface Backend extends AutoCloseable {

  /**
   * The backend's name as used in configuration: {@code thread}, {@code virtual-thread},
   * {@code process} or {@code hazelcast}.
   *
   * @return the name, never null
   */
  String name();

  /**
   * Creates a pool and starts its workers.
   *
   * @param options the pool's settings
   * @return a new running pool
   * @throws NullPointerException if {@code options} is null
   * @throws IllegalStateException if this backend is closed
   * @throws MultiprocException if the workers cannot be started (for example a child JVM that
   *     fails to launch); the message carries the reason
   */
  Pool newPool(PoolOptions options);

  /**
   * Creates a FIFO queue.
   *
   * @param maxSize the capacity; 0 means unbounded
   * @param <T> the item type
   * @return a new empty queue
   * @throws IllegalArgumentException if {@code maxSize} is negative
   * @throws IllegalStateException if this backend is closed
   */
  <T> Queue<T> newQueue(int maxSize);

  /**
   * Creates an event, initially not set.
   *
   * @return a new event
   * @throws IllegalStateException if this backend is closed
   */
  Event newEvent();

  /**
   * Creates a worker that will run {@code task} once started. Nothing runs until
   * {@link Worker#start()}.
   *
   * @param task the worker's body
   * @param options the worker's settings
   * @return a new, not yet started worker
   * @throws NullPointerException if an argument is null
   * @throws IllegalStateException if this backend is closed
   */
  Worker newWorker(Task task, WorkerOptions options);

  /**
   * Ends every pool and worker this backend made and releases its threads and processes. Pools are
   * {@linkplain Pool#terminate() terminated} and workers {@linkplain Worker#kill() killed}: call
   * {@link Pool#close()} and {@link Worker#join()} first for a graceful end. Blocks until the
   * backend's own threads and processes have ended (bounded; a thread stuck in uninterruptible code
   * is abandoned, never waited for forever). Idempotent. After it returns, the factory methods
   * throw {@link IllegalStateException}; queues and events stay usable within this JVM.
   */
  @Override
  void close();
}
