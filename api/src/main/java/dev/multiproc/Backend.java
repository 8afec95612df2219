package dev.multiproc;

/**
 * A place where work runs, and the factory for everything that works together there: Python's
 * multiprocessing <em>context</em> ({@code mp.get_context('spawn')}).
 *
 * <p>Pools, queues, events, workers, locks and the other shared handles made by one backend work
 * together: a task may capture a {@link Queue}, {@link Event}, {@link Lock} (or any other handle)
 * of the same backend and use it from inside any worker of that
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
   * Creates a lock: Python's {@code Lock()}. Not reentrant; any worker may release it.
   *
   * @return a new unlocked lock
   * @throws IllegalStateException if this backend is closed
   * @throws UnsupportedOperationException if this backend does not implement locks yet (the
   *     default, for backends written before they existed; the backends of this project override it)
   */
  default Lock newLock() {
    throw unsupported(this, "Lock");
  }

  /**
   * Creates a reentrant lock: Python's {@code RLock()}. Only its holder may release it.
   *
   * @return a new unlocked reentrant lock
   * @throws IllegalStateException if this backend is closed
   * @throws UnsupportedOperationException as {@link #newLock()}
   */
  default Lock newRLock() {
    throw unsupported(this, "RLock");
  }

  /**
   * Creates a semaphore: Python's {@code Semaphore(permits)}.
   *
   * @param permits the initial number of permits, 0 or more
   * @return a new semaphore
   * @throws IllegalArgumentException if {@code permits} is negative
   * @throws IllegalStateException if this backend is closed
   * @throws UnsupportedOperationException as {@link #newLock()}
   */
  default Semaphore newSemaphore(int permits) {
    throw unsupported(this, "Semaphore");
  }

  /**
   * Creates a bounded semaphore: Python's {@code BoundedSemaphore(permits)}; a release that would
   * exceed {@code permits} throws {@link IllegalStateException}.
   *
   * @param permits the initial and greatest number of permits, 0 or more
   * @return a new semaphore
   * @throws IllegalArgumentException if {@code permits} is negative
   * @throws IllegalStateException if this backend is closed
   * @throws UnsupportedOperationException as {@link #newLock()}
   */
  default Semaphore newBoundedSemaphore(int permits) {
    throw unsupported(this, "BoundedSemaphore");
  }

  /**
   * Creates a barrier: Python's {@code Barrier(parties)}.
   *
   * @param parties the number of parties, at least 1
   * @return a new barrier
   * @throws IllegalArgumentException if {@code parties} is less than 1
   * @throws IllegalStateException if this backend is closed
   * @throws UnsupportedOperationException as {@link #newLock()}
   */
  default Barrier newBarrier(int parties) {
    throw unsupported(this, "Barrier");
  }

  /**
   * Creates a joinable queue: Python's {@code JoinableQueue(maxsize)}.
   *
   * @param maxSize the capacity; 0 means unbounded
   * @param <T> the item type
   * @return a new empty queue
   * @throws IllegalArgumentException if {@code maxSize} is negative
   * @throws IllegalStateException if this backend is closed
   * @throws UnsupportedOperationException as {@link #newLock()}
   */
  default <T> JoinableQueue<T> newJoinableQueue(int maxSize) {
    throw unsupported(this, "JoinableQueue");
  }

  /**
   * Creates a duplex pipe: Python's {@code Pipe()}.
   *
   * @param <T> the item type
   * @return a new pipe, both ends open
   * @throws IllegalStateException if this backend is closed
   * @throws UnsupportedOperationException as {@link #newLock()}
   */
  default <T> Pipe<T> newPipe() {
    throw unsupported(this, "Pipe");
  }

  /**
   * Creates a shared {@code long}: Python's {@code Value('q', initial)}.
   *
   * @param initial the initial value
   * @return a new value
   * @throws IllegalStateException if this backend is closed
   * @throws UnsupportedOperationException as {@link #newLock()}
   */
  default Value newValue(long initial) {
    throw unsupported(this, "Value");
  }

  /**
   * Creates a shared map: Python's {@code Manager().dict()}.
   *
   * @param <K> the key type
   * @param <V> the value type
   * @return a new empty map
   * @throws IllegalStateException if this backend is closed
   * @throws UnsupportedOperationException as {@link #newLock()}
   */
  default <K, V> SharedMap<K, V> newSharedMap() {
    throw unsupported(this, "SharedMap");
  }

  private static UnsupportedOperationException unsupported(Backend b, String type) {
    return new UnsupportedOperationException("the " + b.name() + " backend (" + b.getClass().getName()
        + ") does not implement " + type + " yet; use the thread, virtual-thread or process backend for it");
  }

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
