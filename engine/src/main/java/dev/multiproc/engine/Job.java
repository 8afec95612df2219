package dev.multiproc.engine;

import dev.multiproc.NotShippableException;
import dev.multiproc.TaskFailedException;
import dev.multiproc.TaskFunction;
import dev.multiproc.WorkerDiedException;
import java.util.concurrent.CancellationException;

/** One {@code map}, iterator or {@code submit}: receives the outcome of its units. */
abstract class Job {
  final AbstractPool pool;
  final long id;
  final TaskFunction<?, ?> function;
  volatile Object attachment;

  Job(AbstractPool pool, TaskFunction<?, ?> function) {
    this.pool = pool;
    this.id = pool.nextJobId();
    this.function = function;
  }

  /** Every item of {@code u} ran; {@code failures} is null or holds what items threw. */
  abstract void unitDone(WorkUnit u, Object[] results, Throwable[] failures);

  /** Every item of {@code u} ran and none threw; the results as a primitive array. */
  void unitDoneColumn(WorkUnit u, Object column) {
    unitDone(u, box(column), null);
  }

  /** The unit as a whole failed: see {@link WorkUnit#fail}. */
  abstract void unitFailed(WorkUnit u, Throwable failure);

  /** @return true once the job wants none of its units that have not started */
  boolean abandoned() {
    return false;
  }

  /** An abandoned unit was dropped without running: see {@link WorkUnit#skip()}. */
  void unitSkipped(WorkUnit u) {}

  /** The exception a caller sees for item {@code index} when its whole unit failed. */
  static RuntimeException forItem(long index, Throwable failure) {
    if (failure instanceof WorkerDiedException d) {
      return d.forItem(index);
    }
    if (failure instanceof CancellationException
        || failure instanceof NotShippableException
        || failure instanceof TaskFailedException) {
      return (RuntimeException) failure;
    }
    return TaskFailedException.ofItem(index, failure);
  }

  /** What a caller sees for an item whose function threw {@code t}. */
  static RuntimeException itemFailure(long index, Throwable t) {
    return t instanceof NotShippableException n ? n : TaskFailedException.ofItem(index, t);
  }

  /** A primitive array ({@code int[]}, {@code long[]}, {@code double[]}) or {@code Object[]} as boxed objects. */
  static Object[] box(Object column) {
    if (column instanceof Object[] a) {
      return a;
    }
    if (column instanceof int[] a) {
      Object[] out = new Object[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = a[i];
      }
      return out;
    }
    if (column instanceof long[] a) {
      Object[] out = new Object[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = a[i];
      }
      return out;
    }
    if (column instanceof double[] a) {
      Object[] out = new Object[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = a[i];
      }
      return out;
    }
    throw new IllegalArgumentException("not a column of results: " + column);
  }
}
