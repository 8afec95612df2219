package dev.multiproc.engine;

import dev.multiproc.NotShippableException;
import dev.multiproc.Pool;
import dev.multiproc.TaskCallable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * {@link Pool#asExecutorService()}: an {@link ExecutorService} whose tasks run on a pool, through
 * {@link Pool#submit}. Shutting the view down ends the view only: it refuses new tasks and
 * {@link #awaitTermination} waits for its own tasks; the pool stays open for its owner.
 *
 * <p>A task is wrapped in a {@link TaskCallable} that holds it, so on backends that ship work to
 * other JVMs the {@link Runnable} or {@link Callable} must itself be serializable (a lambda cast to
 * {@code Runnable & Serializable}, or a class that implements both), else the pool refuses it with
 * {@link dev.multiproc.NotShippableException}. A task given to {@link #execute} that throws is
 * reported to this JVM's default uncaught-exception handler, or printed, as a thread pool does.
 */
final class PoolExecutorService implements ExecutorService {

  private static final long POLL = Duration.ofMillis(100).toNanos();

  private final Pool pool;
  private final BooleanSupplier poolShut;
  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition drained = lock.newCondition();
  /** Tasks accepted and not yet complete, with the task as given (for {@link #shutdownNow}). */
  private final Map<CompletableFuture<?>, Object> outstanding = new IdentityHashMap<>();
  private int submitting;
  private boolean shutdown;

  /**
   * @param pool the pool that runs the tasks
   * @param poolShut whether the pool refuses work (closed or terminated): the view is then shut too
   * @param name the pool's name, for messages
   */
  PoolExecutorService(Pool pool, BooleanSupplier poolShut, String name) {
    this.pool = pool;
    this.poolShut = poolShut;
    this.name = name;
  }

  // ------------------------------------------------------------------ submitting

  /** The wrapper shipped to the workers: holds the user's task, which must travel with it. */
  private record RunnableCall<T>(Runnable task, T result) implements TaskCallable<T> {
    @Override
    public T call() {
      task.run();
      return result;
    }
  }

  /** As {@link RunnableCall}, for a {@link Callable}. */
  private record CallableCall<T>(Callable<T> task) implements TaskCallable<T> {
    @Override
    public T call() throws Exception {
      return task.call();
    }
  }

  private <T> CompletableFuture<T> start(TaskCallable<T> call, Object original) {
    lock.lock();
    try {
      if (shutdown) {
        throw new RejectedExecutionException("this ExecutorService view of pool " + name + " is shut down");
      }
      submitting++;
    } finally {
      lock.unlock();
    }
    CompletableFuture<T> f = null;
    try {
      f = pool.submit(call); // outside the lock: on shipping backends this serializes the task
      if (f.isCompletedExceptionally() && !f.isCancelled() && f.exceptionNow() instanceof NotShippableException e) {
        f = null;
        throw e; // at once, as the view's contract says, not in a future nobody may look at
      }
      return f;
    } finally {
      lock.lock();
      try {
        submitting--;
        if (f != null && !f.isDone()) {
          outstanding.put(f, original);
        }
        drained.signalAll();
      } finally {
        lock.unlock();
      }
      if (f != null) {
        CompletableFuture<T> g = f;
        f.whenComplete((r, e) -> done(g));
      }
    }
  }

  private void done(CompletableFuture<?> f) {
    lock.lock();
    try {
      if (outstanding.remove(f) != null && outstanding.isEmpty()) {
        drained.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code command} on the pool. A failure is reported as an uncaught exception would be.
   *
   * @throws NullPointerException if {@code command} is null
   * @throws RejectedExecutionException if the view or the pool is shut down
   * @throws dev.multiproc.NotShippableException if the pool ships work and {@code command} cannot
   *     be sent
   */
  @Override
  public void execute(Runnable command) {
    Objects.requireNonNull(command, "command");
    start(new RunnableCall<>(command, null), command).whenComplete((r, e) -> {
      if (e != null && !(e instanceof CancellationException)) {
        Throwable failure = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        Thread t = Thread.currentThread();
        Thread.UncaughtExceptionHandler h = Thread.getDefaultUncaughtExceptionHandler();
        if (h != null) {
          h.uncaughtException(t, failure);
        } else {
          System.err.println("Exception in a task executed by pool " + name + ":");
          failure.printStackTrace();
        }
      }
    });
  }

  @Override
  public <T> Future<T> submit(Callable<T> task) {
    Objects.requireNonNull(task, "task");
    return start(new CallableCall<>(task), task);
  }

  @Override
  public <T> Future<T> submit(Runnable task, T result) {
    Objects.requireNonNull(task, "task");
    return start(new RunnableCall<>(task, result), task);
  }

  @Override
  public Future<?> submit(Runnable task) {
    Objects.requireNonNull(task, "task");
    return start(new RunnableCall<>(task, null), task);
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
    List<Future<T>> futures = submitAll(tasks);
    try {
      for (Future<T> f : futures) {
        try {
          f.get();
        } catch (ExecutionException | CancellationException e) {
          // reported by the future
        }
      }
      return futures;
    } catch (InterruptedException e) {
      cancelAll(futures);
      throw e;
    }
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    List<Future<T>> futures = submitAll(tasks);
    try {
      for (Future<T> f : futures) {
        try {
          f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | CancellationException e) {
          // reported by the future
        } catch (TimeoutException e) {
          cancelAll(futures);
          break;
        }
      }
      return futures;
    } catch (InterruptedException e) {
      cancelAll(futures);
      throw e;
    }
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
    try {
      return any(tasks, Long.MAX_VALUE);
    } catch (TimeoutException e) {
      throw new AssertionError("no deadline", e);
    }
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    return any(tasks, unit.toNanos(timeout));
  }

  private <T> T any(Collection<? extends Callable<T>> tasks, long nanos)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException("invokeAny needs at least one task");
    }
    List<Future<T>> futures = submitAll(tasks);
    CompletableFuture<T> first = new CompletableFuture<>();
    int[] failed = {0};
    ReentrantLock count = new ReentrantLock();
    for (Future<T> f : futures) {
      ((CompletableFuture<T>) f).whenComplete((r, e) -> {
        if (e == null) {
          first.complete(r);
          return;
        }
        count.lock();
        try {
          if (++failed[0] == futures.size()) {
            first.completeExceptionally(e);
          }
        } finally {
          count.unlock();
        }
      });
    }
    try {
      return nanos == Long.MAX_VALUE ? first.get() : first.get(nanos, TimeUnit.NANOSECONDS);
    } finally {
      cancelAll(futures);
    }
  }

  private <T> List<Future<T>> submitAll(Collection<? extends Callable<T>> tasks) {
    Objects.requireNonNull(tasks, "tasks");
    for (Callable<T> t : tasks) {
      Objects.requireNonNull(t, "a task in tasks is null");
    }
    List<Future<T>> futures = new ArrayList<>(tasks.size());
    try {
      for (Callable<T> t : tasks) {
        futures.add(submit(t));
      }
    } catch (RuntimeException e) {
      cancelAll(futures);
      throw e;
    }
    return futures;
  }

  private static void cancelAll(List<? extends Future<?>> futures) {
    for (Future<?> f : futures) {
      f.cancel(false);
    }
  }

  // ------------------------------------------------------------------ lifecycle of the view

  @Override
  public void shutdown() {
    lock.lock();
    try {
      shutdown = true;
      drained.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Shuts the view down and cancels its tasks that have not completed: those not started are
   * taken off the pool; those running finish on the pool, unobserved (a pool does not interrupt
   * a running task when its future is cancelled).
   *
   * @return the tasks that were cancelled, as given (a {@link Callable} wrapped in a {@link Runnable})
   */
  @Override
  public List<Runnable> shutdownNow() {
    Map<CompletableFuture<?>, Object> copy;
    lock.lock();
    try {
      shutdown = true;
      copy = new IdentityHashMap<>(outstanding);
    } finally {
      lock.unlock();
    }
    List<Runnable> cancelled = new ArrayList<>();
    copy.forEach((f, task) -> {
      if (f.cancel(false)) {
        cancelled.add(task instanceof Runnable r ? r : () -> {
          try {
            ((Callable<?>) task).call();
          } catch (Exception e) {
            throw new CompletionException(e);
          }
        });
      }
    });
    return cancelled;
  }

  // The pool's state is read before this view's lock is taken, never under it: the pool may
  // complete futures (and so call done()) while it holds its own lock.

  @Override
  public boolean isShutdown() {
    boolean poolDown = poolShut.getAsBoolean();
    lock.lock();
    try {
      return shutdown || poolDown;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isTerminated() {
    boolean poolDown = poolShut.getAsBoolean();
    lock.lock();
    try {
      return (shutdown || poolDown) && outstanding.isEmpty() && submitting == 0;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the view (or its pool) is shut down and every task it accepted has completed.
   * A pool that is shut down by its owner is noticed within 100 ms.
   */
  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (true) {
      boolean poolDown = poolShut.getAsBoolean();
      lock.lock();
      try {
        boolean shut = shutdown || poolDown;
        if (shut && outstanding.isEmpty() && submitting == 0) {
          return true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        drained.awaitNanos(shut ? left : Math.min(left, POLL));
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  public String toString() {
    return "ExecutorService view of pool " + name + (isShutdown() ? " (shut down)" : "");
  }
}
