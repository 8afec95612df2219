package dev.multiproc;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * A fixed set of workers that run functions over many items: Python's
 * {@code multiprocessing.Pool}.
 *
 * <h2>Usage</h2>
 *
 * <pre>{@code
 * try (Pool pool = Multiproc.pool(8)) {
 *   List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));     // [1, 4, 9]
 *   CompletableFuture<String> hello = pool.submit(() -> "hello");
 * }                                                                    // close(): waits for the work
 * }</pre>
 *
 * <h2>Work and chunks</h2>
 *
 * {@link #map}, {@link #imap} and {@link #imapUnordered} split their items into chunks of
 * consecutive items; a worker takes a whole chunk, applies the function to each item in order and
 * hands the results back together. Bigger chunks cost less per item; smaller chunks balance better.
 * Each chunk and each {@link #submit} counts as one <em>task</em> for
 * {@link PoolOptions#maxTasksPerWorker()}, as in Python.
 *
 * <h2>Failures</h2>
 *
 * A function that throws fails that item only: {@code map} and the iterators report it as a
 * {@link TaskFailedException} naming the item's index, after which the pool is still usable. A
 * worker that dies (its JVM is killed, calls {@code System.exit}, runs out of memory) fails the
 * tasks it was running with {@link WorkerDiedException}, or re-runs them if
 * {@link PoolOptions#retriesOnWorkerDeath()} allows; the pool replaces the worker and never hangs.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link #close()} stops accepting work, lets every accepted task finish, then ends the workers.
 * {@link #terminate()} stops at once: running and queued tasks end with
 * {@link CancellationException}. After either, new work is refused with
 * {@link RejectedExecutionException}. Pool workers are daemons: an open pool never keeps the JVM
 * alive.
 *
 * <h2>Memory consistency</h2>
 *
 * Actions in a thread before it hands work to the pool happen-before the work runs, and the
 * actions of the work happen-before its result is returned to the caller (by {@code map}, an
 * iterator's {@code next()}, or the completion of the future). On backends that run work in other
 * JVMs this holds for everything that travels with the work: the function, the items and the
 * results.
 *
 * <p>All methods are thread-safe.
 */
public interface Pool extends AutoCloseable {

  /**
   * Applies {@code fn} to every item and returns the results in input order: Python's
   * {@code pool.map(f, xs)}. The chunk size is {@link PoolOptions#chunkSize()} or, when that is 0,
   * Python's default {@code ceil(n / (4 * workers))} (1 when the pool has a
   * {@linkplain PoolOptions#taskTimeout() task timeout}, so that each item is timed on its own).
   * The items are read once, up front.
   *
   * <p>Blocks until every item is done. If an item fails, the call waits for the work already
   * running, then throws for the failure with the lowest index; items not yet started are skipped
   * (also those already handed to a worker process that has not begun them).
   *
   * @param fn the function; applied on the pool's workers
   * @param items the items; neither the iterable nor any item may be null
   * @param <T> the item type
   * @param <R> the result type
   * @return the results, in the order of {@code items}; a new mutable list
   * @throws NullPointerException if {@code fn}, {@code items} or an item is null (nothing is run)
   * @throws TaskFailedException if {@code fn} threw for an item; names the item's index
   * @throws WorkerDiedException if a worker died while running an item, beyond the retries allowed
   * @throws NotShippableException if the function, an item or a result cannot be sent to a worker
   * @throws RejectedExecutionException if the pool is closed or terminated
   * @throws CancellationException if the pool is terminated while the call runs
   * @throws MultiprocException with the {@link InterruptedException} as cause if the calling thread
   *     is interrupted while waiting; the remaining work is cancelled and the interrupt flag is set
   */
  <T, R> List<R> map(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items);

  /**
   * As {@link #map(TaskFunction, Iterable)} with an explicit chunk size.
   *
   * @param fn the function
   * @param items the items
   * @param chunkSize the number of consecutive items a worker takes at once; at least 1
   * @param <T> the item type
   * @param <R> the result type
   * @return the results, in input order
   * @throws IllegalArgumentException if {@code chunkSize} is less than 1
   */
  <T, R> List<R> map(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int chunkSize);

  /**
   * Applies {@code fn} to every item lazily and yields the results in input order: Python's
   * {@code pool.imap(f, xs)}. Items are read from {@code items} as work is needed, keeping a
   * bounded window of them running or waiting to be consumed, so an endless or huge iterable is
   * fine: {@code max(4, 2 * workers)} chunks, widened to 64 items while items take well under a
   * millisecond each (then a window of a few items would hold the workers to a round trip per few
   * items). The chunk size is {@link PoolOptions#chunkSize()}, or 1 when that is 0 (as in Python).
   *
   * <p>The iterator's {@code hasNext()} and {@code next()} block until the next result in input
   * order is ready. {@code next()} throws {@link TaskFailedException} for an item whose function
   * threw, and {@link WorkerDiedException}, {@link NotShippableException} or
   * {@link CancellationException} as {@link #map} does; iteration may continue after a
   * {@code TaskFailedException}. If the consuming thread is interrupted while waiting, the
   * iterator throws {@link MultiprocException} with the {@link InterruptedException} as cause and
   * keeps the interrupt flag set. After {@link #close()}, the iterator still yields the results of
   * the work already handed to the workers, then throws {@link RejectedExecutionException} if more
   * input remains. The iterator is for one consumer thread.
   *
   * @param fn the function
   * @param items the items; read lazily, on the consumer's thread
   * @param <T> the item type
   * @param <R> the result type
   * @return an iterator over the results, in input order
   * @throws NullPointerException if {@code fn} or {@code items} is null (a null item is reported
   *     by the iterator when it is reached)
   * @throws RejectedExecutionException if the pool is closed or terminated
   */
  <T, R> Iterator<R> imap(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items);

  /**
   * As {@link #imap}, but yields results in completion order: Python's
   * {@code pool.imap_unordered(f, xs)}.
   *
   * @param fn the function
   * @param items the items; read lazily
   * @param <T> the item type
   * @param <R> the result type
   * @return an iterator over the results, in the order they complete
   * @throws NullPointerException if {@code fn} or {@code items} is null
   * @throws RejectedExecutionException if the pool is closed or terminated
   */
  <T, R> Iterator<R> imapUnordered(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items);

  /**
   * Runs one task on a worker: Python's {@code pool.apply_async(f)}. Does not block.
   *
   * <p>The future completes with the task's result, or exceptionally with: the exception the task
   * threw (rebuilt in the caller's JVM, or a {@link RemoteTaskException} with the same facts when
   * it cannot be); {@link WorkerDiedException}; {@link NotShippableException}; a
   * {@link java.util.concurrent.TimeoutException} if it overran the pool's
   * {@linkplain PoolOptions#taskTimeout() task timeout}; or {@link CancellationException} if the
   * pool is terminated first. Cancelling the future removes a task that has not started (also one
   * already handed to a worker process that has not begun it); a running task is not interrupted.
   * Dependent stages registered before the future completes run on a thread of their own, never
   * on one the pool needs (a worker, a process pool's reader), so they may block, even on this
   * pool; {@code close()} waits for them as it waits for the work.
   *
   * @param task the task
   * @param <R> the result type
   * @return a future for the result
   * @throws NullPointerException if {@code task} is null
   * @throws RejectedExecutionException if the pool is closed or terminated
   */
  <R> CompletableFuture<R> submit(TaskCallable<R> task);

  /**
   * Applies {@code fn} to every item without waiting: Python's {@code pool.map_async(f, xs)}. The
   * items are read at once, on the caller's thread; then the call returns while the work runs,
   * chunked as {@link #map(TaskFunction, Iterable)} chunks it.
   *
   * <p>The future completes with the results in input order, or exceptionally with what
   * {@code map} would throw ({@link TaskFailedException} for the failing item with the lowest
   * index, {@link WorkerDiedException}, {@link NotShippableException} for a result,
   * {@link CancellationException} if the pool is terminated). Cancelling the future skips the
   * items not yet started. Dependent stages registered before it completes run on a thread of
   * their own, never on one the pool needs, so they may block, even on this pool
   * ({@code thenApply(r -> pool.map(g, r))}).
   *
   * <p>The default implementation runs {@code map} on a new virtual thread; cancelling the future
   * interrupts it, and the items are skipped that have not started when that {@code map} gives up,
   * a moment later. The pools of this project's backends override it without any extra thread,
   * and skip the items not started when {@code cancel} is called.
   *
   * @param fn the function
   * @param items the items; neither the iterable nor any item may be null
   * @param <T> the item type
   * @param <R> the result type
   * @return a future for the results
   * @throws NullPointerException if {@code fn}, {@code items} or an item is null (nothing is run)
   * @throws RejectedExecutionException if the pool is closed or terminated (the default
   *     implementation reports that through the future instead)
   * @throws NotShippableException if the function or an item cannot be sent to the workers and
   *     the pool checks that before queuing the work (the process backend does); otherwise the
   *     future reports it
   */
  default <T, R> CompletableFuture<List<R>> mapAsync(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
    java.util.Objects.requireNonNull(fn, "fn");
    java.util.Objects.requireNonNull(items, "items");
    List<T> list = new java.util.ArrayList<>();
    for (T item : items) {
      if (item == null) {
        throw new NullPointerException("item " + list.size() + " is null; a pool refuses null items");
      }
      list.add(item);
    }
    CompletableFuture<List<R>> future = new CompletableFuture<>();
    Thread runner = Thread.ofVirtual().name("multiproc-mapAsync").unstarted(() -> {
      try {
        future.complete(map(fn, list));
      } catch (Throwable t) {
        future.completeExceptionally(t);
      }
    });
    future.whenComplete((r, t) -> {
      if (future.isCancelled()) {
        runner.interrupt();
      }
    });
    runner.start();
    return future;
  }

  /**
   * A view of this pool as an {@link ExecutorService}, for code that takes an
   * {@link java.util.concurrent.Executor} or {@code ExecutorService} (frameworks,
   * {@link CompletableFuture#supplyAsync(java.util.function.Supplier, java.util.concurrent.Executor)}).
   * Its tasks run on this pool's workers, as {@link #submit} runs them; its futures complete as
   * {@code submit}'s do, and cancelling one removes a task that has not started.
   *
   * <p>Shutting the view down ({@code shutdown}, {@code shutdownNow}, {@code close}) ends the view,
   * not the pool: the view refuses new tasks and its {@code awaitTermination} waits for its own;
   * the pool stays open until its owner closes it. Closing or terminating the pool shuts every
   * view down. {@code shutdownNow} cancels the view's tasks that have not completed; a running task
   * is not interrupted. A task given to {@code execute} that throws is reported to the default
   * {@linkplain Thread#getDefaultUncaughtExceptionHandler() uncaught-exception handler}, or printed.
   *
   * <p>On backends that run work in other JVMs (such as {@code process}), the {@link Runnable} or
   * {@link java.util.concurrent.Callable} travels to the worker, so it must be serializable (a
   * lambda cast to {@code Runnable & Serializable}, or a class that implements both): otherwise
   * {@code execute} and {@code submit} throw {@link NotShippableException}. Wrappers that the JDK
   * makes around a task, such as those of {@code CompletableFuture.supplyAsync}, are not
   * serializable: they work on the in-JVM backends only.
   *
   * @return a new view; each call returns another, shut down independently
   */
  ExecutorService asExecutorService();

  /**
   * The number of workers, as configured.
   *
   * @return the number of workers, at least 1
   */
  int workers();

  /**
   * Closes gracefully: Python's {@code pool.close(); pool.join()}. New work is refused at once; the
   * call blocks until every accepted task has finished and the workers have ended. Idempotent; a
   * second call waits as the first does.
   *
   * <p>If the calling thread is interrupted while waiting, the pool is {@linkplain #terminate()
   * terminated} and the method returns with the interrupt flag set.
   */
  @Override
  void close();

  /**
   * Stops at once: Python's {@code pool.terminate()}. Queued and running tasks end with
   * {@link CancellationException}; workers are stopped (threads are interrupted, child processes
   * killed). Returns promptly without waiting for stuck code. Idempotent.
   */
  void terminate();
}
