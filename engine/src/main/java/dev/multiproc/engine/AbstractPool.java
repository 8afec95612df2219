package dev.multiproc.engine;

import dev.multiproc.NotShippableException;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.TaskCallable;
import dev.multiproc.TaskFailedException;
import dev.multiproc.TaskFunction;
import dev.multiproc.WorkerDiedException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine shared by every pool: Python's {@code Pool} semantics (chunking, ordered {@code map}
 * and {@code imap}, {@code imapUnordered}, {@code submit}, graceful {@code close}, immediate
 * {@code terminate}, retries after a worker's death, task timeouts) on top of executors that a
 * subclass provides: threads here, child processes in the process backend.
 *
 * <h2>Design notes</h2>
 *
 * <ul>
 *   <li>Work is a FIFO of {@link WorkUnit}s (chunks of items, or one {@code submit}) behind one
 *       lock. Executors block in {@link #take()} on a semaphore with a permit per queued unit, not
 *       on a condition of that lock, so that thousands of woken executors do not convoy on the
 *       lock; a retried unit goes to the front.
 *   <li>Each unit is reported exactly once ({@link WorkUnit#claim()} is a CAS), so a straggling
 *       report after a timeout, retry or {@code terminate} is dropped.
 *   <li>Callers wait on their own job ({@code map}: a latch; iterators: a condition), never on the
 *       pool lock while work runs.
 *   <li>Iterators read their input lazily on the consumer's thread and keep at most
 *       {@code max(4, 2 * workers)} chunks in flight or buffered: a slow consumer holds the producer
 *       back.
 *   <li>Timeouts run on one watchdog thread per pool, made only when a timeout is set.
 * </ul>
 *
 * <p>Internal: shared by the backends, no compatibility promise.
 */
public abstract class AbstractPool implements Pool {

  /** Permits that wake every waiting executor: more than there can be executors. */
  private static final int STOP = 1 << 28;

  private enum State { OPEN, CLOSING, TERMINATED }

  /** The options this pool was made with. */
  protected final PoolOptions options;

  private final ReentrantLock lock = new ReentrantLock();
  /** One permit per queued unit, plus {@link #STOP} when executors must wake up and end. */
  private final Semaphore work = new Semaphore(0);
  private final Condition idle = lock.newCondition();
  private final ArrayDeque<WorkUnit> pending = new ArrayDeque<>();
  private final Set<WorkUnit> running = new HashSet<>();
  private final AtomicLong jobIds = new AtomicLong();
  private final ScheduledThreadPoolExecutor watchdog;
  private State state = State.OPEN;
  private RuntimeException broken;

  /**
   * @param options the pool's settings
   * @param threads makes the watchdog thread, if {@code options} set a task timeout
   */
  protected AbstractPool(PoolOptions options, ThreadMaker threads) {
    this.options = Objects.requireNonNull(options, "options");
    if (options.taskTimeout().isPresent()) {
      watchdog = new ScheduledThreadPoolExecutor(1, r -> threads.newPlatformThread(options.name() + "-watchdog", true, r));
      watchdog.setRemoveOnCancelPolicy(true);
    } else {
      watchdog = null;
    }
  }

  // ---------------------------------------------------------------- user API

  long nextJobId() {
    return jobIds.incrementAndGet();
  }

  @Override
  public int workers() {
    return options.workers();
  }

  @Override
  public ExecutorService asExecutorService() {
    return new PoolExecutorService(this, this::isShutdown, options.name());
  }

  @Override
  public <T, R> List<R> map(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
    return doMap(fn, items, options.chunkSize());
  }

  @Override
  public <T, R> List<R> map(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int chunkSize) {
    Objects.requireNonNull(fn, "fn");
    Objects.requireNonNull(items, "items");
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunkSize must be at least 1, got " + chunkSize);
    }
    return doMap(fn, items, chunkSize);
  }

  @Override
  public <T, R> CompletableFuture<List<R>> mapAsync(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
    PoolFuture<List<Object>> future = new PoolFuture<>();
    MapJob job = startMap(fn, items, options.chunkSize(), future);
    if (job == null) {
      future.complete(new ArrayList<>());
    } else {
      future.onCancel(job::cancel);
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    CompletableFuture<List<R>> typed = (CompletableFuture) future;
    return typed;
  }

  /** {@code chunkSize} 0 means Python's automatic size. */
  private <T, R> List<R> doMap(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int chunkSize) {
    MapJob job = startMap(fn, items, chunkSize, null);
    return job == null ? new ArrayList<>() : job.await();
  }

  /**
   * Reads the items, checks, and queues the chunks of a map; null if there is no item.
   * {@code future}, if not null, is completed by the job when its last unit ends.
   */
  private <T, R> MapJob startMap(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int chunkSize,
      CompletableFuture<List<Object>> future) {
    Objects.requireNonNull(fn, "fn");
    Objects.requireNonNull(items, "items");
    Object[] all = itemsOf(items);
    checkAccepting();
    int n = all.length;
    if (n == 0) {
      return null;
    }
    int chunk = chunkSize > 0 ? chunkSize : defaultChunk(n);
    MapJob job = new MapJob(this, fn, n, chunk);
    job.future = future;
    job.attachment = prepareFunction(fn);
    List<WorkUnit> units = new ArrayList<>((n + chunk - 1) / chunk);
    for (int from = 0, seq = 0; from < n; from += chunk, seq++) {
      int to = Math.min(n, from + chunk);
      WorkUnit unit = new WorkUnit(job, seq, from, all, from, to - from, null);
      unit.attachment = prepareItems(all, from, to - from, from);
      units.add(unit);
    }
    job.remaining.set(units.size());
    enqueue(units);
    return job;
  }

  /**
   * The items in an array, checked for nulls: a collection's in one copy of the right size (a
   * list grown item by item would allocate and copy it several times, on every map).
   */
  private static Object[] itemsOf(Iterable<?> items) {
    Object[] all;
    if (items instanceof Collection<?> c) {
      all = c.toArray();
    } else {
      List<Object> list = new ArrayList<>();
      items.forEach(list::add);
      all = list.toArray();
    }
    for (int i = 0; i < all.length; i++) {
      if (all[i] == null) {
        throw new NullPointerException("item " + i + " is null; a pool refuses null items");
      }
    }
    return all;
  }

  /** Completions handed to threads of their own and not finished yet; {@link #close()} waits for them. */
  private final AtomicInteger completing = new AtomicInteger();

  /** Set on a thread while it runs a completion (and so its future's dependent stages). */
  private static final ThreadLocal<Boolean> IN_COMPLETION = new ThreadLocal<>();

  /**
   * Completes a job's future ({@code submit}, {@code mapAsync}). Completing a future runs the
   * dependent stages registered so far, and one may block on this very pool ({@code thenApply(r ->
   * pool.map(...))}), which on a pool worker or a process pool's reader thread would wait for
   * itself: so a future with dependents is completed on a virtual thread of its own, and
   * {@link #close()} waits for that as it waits for the work. A future with no dependents but the
   * pool's own ({@link PoolFuture}: its cancellation hook, the threads waiting in {@code get()}) is
   * completed here, so that it is done when its unit is, without a hand-off (a dependent registered
   * in the moment between the check and the completion would run here: the one case left).
   */
  void completeOutside(CompletableFuture<?> future, Runnable completion) {
    if (future instanceof PoolFuture<?> f ? f.onlyOwnDependents() : future.getNumberOfDependents() == 0) {
      completion.run();
      return;
    }
    completing.incrementAndGet();
    Thread.ofVirtual().name("multiproc-" + options.name() + "-complete").start(() -> {
      IN_COMPLETION.set(Boolean.TRUE);
      try {
        completion.run();
      } finally {
        IN_COMPLETION.remove();
        completing.decrementAndGet();
        lock.lock();
        try {
          idle.signalAll();
        } finally {
          lock.unlock();
        }
      }
    });
  }

  /** Python's default: {@code ceil(n / (4 * workers))}; 1 per item when tasks have a timeout. */
  private int defaultChunk(int n) {
    if (options.taskTimeout().isPresent()) {
      return 1;
    }
    int per = 4 * options.workers();
    return Math.max(1, (n + per - 1) / per);
  }

  @Override
  public <T, R> Iterator<R> imap(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
    return iterate(fn, items, true);
  }

  @Override
  public <T, R> Iterator<R> imapUnordered(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
    return iterate(fn, items, false);
  }

  private <T, R> Iterator<R> iterate(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items, boolean ordered) {
    Objects.requireNonNull(fn, "fn");
    Objects.requireNonNull(items, "items");
    checkAccepting();
    int chunk = Math.max(1, options.chunkSize());
    IterJob<T, R> job = new IterJob<>(this, fn, items.iterator(), chunk, ordered);
    job.attachment = prepareFunction(fn);
    job.feed();
    return job;
  }

  @Override
  public <R> CompletableFuture<R> submit(TaskCallable<R> task) {
    Objects.requireNonNull(task, "task");
    SubmitJob<R> job = new SubmitJob<>(this);
    WorkUnit unit = new WorkUnit(job, 0, 0, new Object[0], 0, 0, task);
    try {
      unit.attachment = prepareCall(task);
    } catch (NotShippableException e) {
      checkAccepting();
      return CompletableFuture.failedFuture(e);
    }
    enqueue(List.of(unit));
    job.future.onCancel(() -> {
      if (unit.state.compareAndSet(WorkUnit.PENDING, WorkUnit.DONE)) {
        removePending(unit);
      } else {
        unitsAbandoned();
      }
    });
    return job.future;
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (state == State.OPEN) {
        state = State.CLOSING;
        work.release(STOP);
      }
      int self = IN_COMPLETION.get() == Boolean.TRUE ? 1 : 0; // close() from a dependent stage
      while (state == State.CLOSING && (!pending.isEmpty() || !running.isEmpty() || completing.get() > self)) {
        idle.await();
      }
    } catch (InterruptedException e) {
      lock.unlock();
      try {
        terminate();
      } finally {
        Thread.currentThread().interrupt();
        lock.lock();
      }
      return;
    } finally {
      lock.unlock();
    }
    if (watchdog != null) {
      watchdog.shutdownNow();
    }
    stopExecutors(false);
  }

  @Override
  public void terminate() {
    List<WorkUnit> cut;
    lock.lock();
    try {
      if (state == State.TERMINATED) {
        return;
      }
      state = State.TERMINATED;
      cut = new ArrayList<>(pending);
      cut.addAll(running);
      pending.clear();
      running.clear();
      work.release(STOP);
      idle.signalAll();
    } finally {
      lock.unlock();
    }
    if (watchdog != null) {
      watchdog.shutdownNow();
    }
    CancellationException cancelled = new CancellationException("the pool was terminated");
    for (WorkUnit u : cut) {
      if (u.state.getAndSet(WorkUnit.DONE) != WorkUnit.DONE) {
        u.job.unitFailed(u, cancelled);
      }
    }
    stopExecutors(true);
  }

  // ---------------------------------------------------------------- executor side

  /**
   * Stops the executors. With {@code force}, at once (interrupt threads, kill processes) and
   * without waiting for stuck code; otherwise they are idle and {@link #take()} returns null to
   * them: wait (bounded) until they have ended.
   *
   * @param force true for {@code terminate}, false for {@code close}
   */
  protected abstract void stopExecutors(boolean force);

  /**
   * A unit ran past its {@linkplain PoolOptions#taskTimeout() timeout} and has been failed with
   * {@code timeout}: stop whatever runs it and replace that executor.
   *
   * @param unit the unit
   */
  protected abstract void timedOut(WorkUnit unit);

  /**
   * Prepares the function of a {@code map} or iterator for the executors, in the caller's thread
   * and before anything is queued (the process backend serializes it here, once per call). The
   * result is {@link WorkUnit#jobAttachment()}. Default: nothing.
   *
   * @param fn the function
   * @return anything, or null
   * @throws NotShippableException if the function cannot be sent to the executors
   */
  protected Object prepareFunction(TaskFunction<?, ?> fn) {
    return null;
  }

  /**
   * Prepares a chunk's items, in the caller's thread before the chunk is queued. The result is
   * {@link WorkUnit#attachment()}. Default: nothing.
   *
   * @param items the job's items (do not modify); the chunk's are {@code [offset, offset + count)}
   * @param firstIndex the index of the chunk's first item in the input
   * @return anything, or null
   * @throws NotShippableException if an item cannot be sent to the executors
   */
  protected Object prepareItems(Object[] items, int offset, int count, long firstIndex) {
    return null;
  }

  /**
   * Prepares the task of a {@code submit}, in the caller's thread. The result is
   * {@link WorkUnit#attachment()}. Default: nothing.
   *
   * @param task the task
   * @return anything, or null
   * @throws NotShippableException if the task cannot be sent; the returned future fails with it
   */
  protected Object prepareCall(TaskCallable<?> task) {
    return null;
  }

  /**
   * A job gave up the units it has not started yet (a {@code map} failed or was interrupted, a
   * future was cancelled): executors that hold such units ({@link WorkUnit#isAbandoned()}) without
   * having started them should {@link WorkUnit#skip()} them. Called without locks held. Default:
   * nothing (threads take one unit at a time and check before running it).
   */
  protected void unitsAbandoned() {}

  /**
   * Puts a unit that was taken but never started back at the front of the queue, as if it had not
   * been taken (its executor ended before it could run it).
   *
   * @param unit the unit
   */
  protected final void giveBack(WorkUnit unit) {
    RuntimeException failure;
    lock.lock();
    try {
      if (state != State.TERMINATED && broken == null && unit.state.compareAndSet(WorkUnit.RUNNING, WorkUnit.PENDING)) {
        if (unit.timeout != null) {
          unit.timeout.cancel(false);
        }
        running.remove(unit);
        pending.addFirst(unit);
        work.release();
        return;
      }
      failure = broken != null ? broken : new CancellationException("the pool was terminated");
    } finally {
      lock.unlock();
    }
    unit.fail(failure);
  }

  /**
   * Waits for the next unit and marks it running; starts its timeout clock.
   *
   * @return the unit, or null when the executor should end (closed and drained, terminated, or
   *     broken)
   * @throws InterruptedException if interrupted while waiting
   */
  protected final WorkUnit take() throws InterruptedException {
    boolean woken = false;
    while (true) {
      lock.lock();
      try {
        if (state == State.TERMINATED || broken != null) {
          return null;
        }
        WorkUnit u = next();
        if (u != null) {
          if (!woken) {
            work.tryAcquire(); // its permit, unless a waiter has it (that one finds nothing and waits again)
          }
          return u;
        }
        if (state == State.CLOSING && pending.isEmpty()) {
          return null;
        }
      } finally {
        lock.unlock();
      }
      // Waits on a semaphore, not a condition of the lock: woken executors do not queue up for the
      // lock one after another, as 10,000 executors would after a signalAll.
      work.acquire();
      woken = true; // holds a permit
    }
  }

  /**
   * As {@link #take()}, without waiting: for an executor that sends several units at once.
   *
   * @return the next unit, marked running, or null if none is queued now
   */
  protected final WorkUnit poll() {
    lock.lock();
    try {
      WorkUnit u = state == State.TERMINATED || broken != null ? null : next();
      if (u != null) {
        work.tryAcquire(); // as in take()
      }
      return u;
    } finally {
      lock.unlock();
    }
  }

  /** The next pending unit, marked running, or null. Holds lock. */
  private WorkUnit next() {
    while (!pending.isEmpty()) {
      WorkUnit u = pending.poll();
      if (u.job.abandoned()) {
        if (u.state.compareAndSet(WorkUnit.PENDING, WorkUnit.DONE)) {
          u.job.unitSkipped(u);
        }
        continue;
      }
      if (u.state.compareAndSet(WorkUnit.PENDING, WorkUnit.RUNNING)) {
        running.add(u);
        if (watchdog != null) {
          long nanos = options.taskTimeout().orElseThrow().toNanos() * u.size();
          u.timeout = watchdog.schedule(() -> expire(u), nanos, TimeUnit.NANOSECONDS);
        }
        return u;
      }
    }
    return null;
  }

  /**
   * The pool can never run work: an executor's initializer threw. Fails queued work and refuses
   * new work with {@code cause} as the reason.
   *
   * @param workerName the executor whose initializer threw
   * @param cause what it threw
   */
  protected final void initializerFailed(String workerName, Throwable cause) {
    breakPool("the pool's initializer threw in worker " + workerName + ", so the pool cannot run tasks: " + cause, cause);
  }

  /**
   * The pool can never run work (an initializer threw, workers cannot be started): fails queued
   * work with a {@link TaskFailedException} and refuses new work, both carrying {@code cause}.
   *
   * @param message what happened
   * @param cause why
   */
  protected final void breakPool(String message, Throwable cause) {
    List<WorkUnit> cut;
    TaskFailedException failure = new TaskFailedException(message, cause, -1);
    lock.lock();
    try {
      if (broken != null || state == State.TERMINATED) {
        return;
      }
      broken = failure;
      cut = new ArrayList<>(pending);
      pending.clear();
      work.release(STOP);
      idle.signalAll();
    } finally {
      lock.unlock();
    }
    for (WorkUnit u : cut) {
      if (u.state.getAndSet(WorkUnit.DONE) != WorkUnit.DONE) {
        u.job.unitFailed(u, failure);
      }
    }
  }

  /** @return how many units wait in the queue now */
  protected final int queued() {
    lock.lock();
    try {
      return pending.size();
    } finally {
      lock.unlock();
    }
  }

  /** @return true once {@code close} or {@code terminate} has been called */
  protected final boolean isShutdown() {
    lock.lock();
    try {
      return state != State.OPEN;
    } finally {
      lock.unlock();
    }
  }

  /** @return true once the pool is broken (see {@link #breakPool}) */
  protected final boolean isBroken() {
    lock.lock();
    try {
      return broken != null;
    } finally {
      lock.unlock();
    }
  }

  /** @return true once {@code terminate} has been called */
  protected final boolean isTerminated() {
    lock.lock();
    try {
      return state == State.TERMINATED;
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- internals

  private void checkAccepting() {
    lock.lock();
    try {
      checkAcceptingLocked();
    } finally {
      lock.unlock();
    }
  }

  private void checkAcceptingLocked() {
    if (state != State.OPEN) {
      throw new RejectedExecutionException("the pool is " + (state == State.CLOSING ? "closed" : "terminated")
          + "; create a new pool for more work");
    }
    if (broken != null) {
      throw new RejectedExecutionException(broken.getMessage(), broken.getCause());
    }
  }

  void enqueue(List<WorkUnit> units) {
    lock.lock();
    try {
      checkAcceptingLocked();
      pending.addAll(units);
    } finally {
      lock.unlock();
    }
    // After unlocking: woken executors take the lock at once.
    work.release(units.size());
  }

  private void removePending(WorkUnit unit) {
    lock.lock();
    try {
      pending.remove(unit);
      signalIfIdle();
    } finally {
      lock.unlock();
    }
  }

  /** Removes the job's queued units (marked done, not reported); returns how many. */
  int removePending(Job job) {
    lock.lock();
    try {
      int removed = 0;
      for (Iterator<WorkUnit> it = pending.iterator(); it.hasNext(); ) {
        WorkUnit u = it.next();
        if (u.job == job && u.state.compareAndSet(WorkUnit.PENDING, WorkUnit.DONE)) {
          it.remove();
          removed++;
        }
      }
      signalIfIdle();
      return removed;
    } finally {
      lock.unlock();
    }
  }

  void finished(WorkUnit unit, boolean wasRunning) {
    if (unit.timeout != null) {
      unit.timeout.cancel(false);
    }
    if (wasRunning) {
      lock.lock();
      try {
        running.remove(unit);
        signalIfIdle();
      } finally {
        lock.unlock();
      }
    }
  }

  private void signalIfIdle() {
    if (pending.isEmpty() && running.isEmpty()) {
      idle.signalAll();
    }
  }

  void workerDied(WorkUnit unit, WorkerDiedException death) {
    lock.lock();
    try {
      if (unit.attempts < options.retriesOnWorkerDeath() && state != State.TERMINATED && broken == null
          && unit.state.compareAndSet(WorkUnit.RUNNING, WorkUnit.PENDING)) {
        if (unit.timeout != null) {
          unit.timeout.cancel(false);
        }
        running.remove(unit);
        unit.attempts++;
        pending.addFirst(unit);
        work.release();
        return;
      }
    } finally {
      lock.unlock();
    }
    unit.fail(death);
  }

  private void expire(WorkUnit unit) {
    if (unit.state.get() != WorkUnit.RUNNING) {
      return;
    }
    Duration limit = options.taskTimeout().orElseThrow();
    String what = unit.isCall() ? "the task" : unit.size() == 1 ? "item " + unit.firstIndex : unit.toString();
    TimeoutException timeout = new TimeoutException(what + " ran longer than the pool's taskTimeout of "
        + limit.multipliedBy(unit.size()) + "; its worker was stopped and replaced");
    if (unit.state.compareAndSet(WorkUnit.RUNNING, WorkUnit.DONE)) {
      try {
        unit.job.unitFailed(unit, timeout);
      } finally {
        finished(unit, true);
      }
      timedOut(unit);
    }
  }
}
