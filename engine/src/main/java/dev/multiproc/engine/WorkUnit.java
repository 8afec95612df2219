package dev.multiproc.engine;

import dev.multiproc.TaskCallable;
import dev.multiproc.TaskFunction;
import dev.multiproc.WorkerDiedException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One task of an {@link AbstractPool}: a chunk of consecutive items of a {@code map} or iterator,
 * or one {@code submit}. A pool's executors {@linkplain AbstractPool#take() take} units, run them
 * and report the outcome exactly once through {@link #complete}, {@link #completeCall},
 * {@link #fail} or {@link #workerDied}; later reports of the same run are ignored, so a timed-out
 * or cancelled unit may still be reported by a straggler without harm.
 *
 * <p>Internal: shared by the backends, no compatibility promise.
 */
public final class WorkUnit {

  static final int PENDING = 0;
  static final int RUNNING = 1;
  static final int DONE = 2;

  final Job job;
  final long sequence;
  final long firstIndex;
  /** The job's items (shared by its units, not copied per unit); this unit's are {@code [offset, offset + count)}. */
  final Object[] items;
  final int offset;
  final int count;
  final TaskCallable<?> callable;
  final AtomicInteger state = new AtomicInteger(PENDING);
  int attempts;
  volatile ScheduledFuture<?> timeout;
  volatile Object attachment;

  WorkUnit(Job job, long sequence, long firstIndex, Object[] items, int offset, int count, TaskCallable<?> callable) {
    this.job = job;
    this.sequence = sequence;
    this.firstIndex = firstIndex;
    this.items = items;
    this.offset = offset;
    this.count = count;
    this.callable = callable;
  }

  /** @return the id of the job (one {@code map}, iterator or {@code submit}) this unit belongs to */
  public long jobId() {
    return job.id;
  }

  /** @return true for a {@code submit}, false for a chunk of items */
  public boolean isCall() {
    return callable != null;
  }

  /** @return the function to apply to each item; null for a {@code submit} */
  @SuppressWarnings("unchecked")
  public TaskFunction<Object, Object> function() {
    return (TaskFunction<Object, Object>) job.function;
  }

  /** @return the callable of a {@code submit}; null for a chunk */
  @SuppressWarnings("unchecked")
  public TaskCallable<Object> callable() {
    return (TaskCallable<Object>) callable;
  }

  /** @return item {@code i} of the chunk, {@code 0 <= i < size()} */
  public Object item(int i) {
    return items[offset + java.util.Objects.checkIndex(i, count)];
  }

  /** @return the index in the job's input of the chunk's first item */
  public long firstIndex() {
    return firstIndex;
  }

  /** @return the number of items, 1 for a {@code submit} */
  public int size() {
    return callable != null ? 1 : count;
  }

  /** @return what {@link AbstractPool#prepareItems} or {@link AbstractPool#prepareCall} made for this unit */
  public Object attachment() {
    return attachment;
  }

  /** @return what {@link AbstractPool#prepareFunction} made for this unit's call */
  public Object jobAttachment() {
    return job.attachment;
  }

  /** @return how many times this unit was started before, after its worker died */
  public int attempts() {
    return attempts;
  }

  /**
   * Reports the outcome of every item of a chunk.
   *
   * @param results the result of each item (null where it failed)
   * @param failures what each item threw, or null if none threw
   */
  public void complete(Object[] results, Throwable[] failures) {
    int was = claim();
    if (was >= 0) {
      try {
        job.unitDone(this, results, failures);
      } finally {
        job.pool.finished(this, was == RUNNING);
      }
    }
  }

  /**
   * Reports that every item of a chunk ran and none threw, with the results as a primitive array
   * ({@code int[]}, {@code long[]} or {@code double[]}, or an {@code Object[]}): a {@code map}
   * boxes them only when it is done.
   *
   * @param column the results
   */
  public void completeColumn(Object column) {
    int was = claim();
    if (was >= 0) {
      try {
        job.unitDoneColumn(this, column);
      } finally {
        job.pool.finished(this, was == RUNNING);
      }
    }
  }

  /**
   * Reports the outcome of a {@code submit}.
   *
   * @param result the result, if {@code failure} is null
   * @param failure what the task threw, or null
   */
  public void completeCall(Object result, Throwable failure) {
    complete(new Object[] {result}, failure == null ? null : new Throwable[] {failure});
  }

  /**
   * Fails the whole unit: it could not be shipped, timed out, or was cancelled.
   *
   * @param failure the reason, as the caller should see it for the unit's first item
   */
  public void fail(Throwable failure) {
    int was = claim();
    if (was >= 0) {
      try {
        job.unitFailed(this, failure);
      } finally {
        job.pool.finished(this, was == RUNNING);
      }
    }
  }

  /**
   * Reports that the worker running this unit died. The pool runs the unit again on another worker
   * if {@link dev.multiproc.PoolOptions#retriesOnWorkerDeath()} allows, else fails it.
   *
   * @param death what happened to the worker
   */
  public void workerDied(WorkerDiedException death) {
    job.pool.workerDied(this, death);
  }

  /** @return true if the unit's job no longer wants it run (see {@link AbstractPool#unitsAbandoned()}) */
  public boolean isAbandoned() {
    return job.abandoned();
  }

  /** Drops an abandoned unit that never started. */
  public void skip() {
    int was = claim();
    if (was >= 0) {
      try {
        job.unitSkipped(this);
      } finally {
        job.pool.finished(this, was == RUNNING);
      }
    }
  }

  /**
   * Marks the unit done; the caller then delivers its outcome and, after that, tells the pool
   * ({@link AbstractPool#finished}), so that a {@code close()} waiting for the pool to drain
   * returns only once every outcome has reached its caller.
   *
   * @return the state it had, or -1 if it was done already (the outcome is dropped)
   */
  int claim() {
    int s = state.get();
    while (s != DONE) {
      if (state.compareAndSet(s, DONE)) {
        return s;
      }
      s = state.get();
    }
    return -1;
  }

  @Override
  public String toString() {
    return isCall() ? "submit#" + job.id : "chunk of items " + firstIndex + ".." + (firstIndex + items.length - 1);
  }
}
