package dev.multiproc.engine;

import dev.multiproc.MultiprocException;
import dev.multiproc.TaskFunction;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/** The job of one {@code map}: results land in per-chunk segments; the caller waits on a latch. */
final class MapJob extends Job {
  final int size;
  final int chunk;
  final Object[] segments; // per chunk: its results, an Object[] or a primitive array
  final AtomicInteger remaining = new AtomicInteger();
  final CountDownLatch done = new CountDownLatch(1);
  final ReentrantLock failureLock = new ReentrantLock();
  RuntimeException failure;
  long failureIndex = Long.MAX_VALUE;
  boolean cancelled;
  volatile boolean abandoned;
  /** For {@code mapAsync}: completed when the last unit ends; set before any unit is queued. */
  CompletableFuture<List<Object>> future;

  MapJob(AbstractPool pool, TaskFunction<?, ?> fn, int n, int chunk) {
    super(pool, fn);
    this.size = n;
    this.chunk = chunk;
    this.segments = new Object[(n + chunk - 1) / chunk];
  }

  @Override
  void unitDoneColumn(WorkUnit u, Object column) {
    segments[(int) u.sequence] = column; // published to await() by the latch
    ended(1);
  }

  @Override
  void unitDone(WorkUnit u, Object[] unitResults, Throwable[] failures) {
    segments[(int) u.sequence] = unitResults;
    if (failures != null) {
      for (int i = 0; i < failures.length; i++) {
        if (failures[i] != null) {
          fail(u.firstIndex + i, itemFailure(u.firstIndex + i, failures[i]));
          break;
        }
      }
    }
    ended(1);
  }

  @Override
  void unitFailed(WorkUnit u, Throwable f) {
    fail(u.firstIndex, forItem(u.firstIndex, f));
    ended(1);
  }

  private void fail(long index, RuntimeException e) {
    boolean first;
    failureLock.lock();
    try {
      first = failure == null;
      if (e instanceof CancellationException) {
        cancelled = true;
      }
      if (index < failureIndex) {
        failure = e;
        failureIndex = index;
      }
    } finally {
      failureLock.unlock();
    }
    if (first) {
      abandon();
    }
  }

  /** Items not yet started are skipped: queued ones are dropped, executors are told about the rest. */
  private void abandon() {
    abandoned = true;
    ended(pool.removePending(this));
    pool.unitsAbandoned();
  }

  @Override
  boolean abandoned() {
    return abandoned;
  }

  @Override
  void unitSkipped(WorkUnit u) {
    ended(1);
  }

  private void ended(int units) {
    if (units > 0 && remaining.addAndGet(-units) == 0) {
      done.countDown();
      if (future != null) {
        pool.completeOutside(future, () -> {
          try {
            future.complete(result());
          } catch (RuntimeException e) {
            future.completeExceptionally(e);
          }
        });
      }
    }
  }

  <R> List<R> await() {
    try {
      done.await();
    } catch (InterruptedException e) {
      abandon();
      Thread.currentThread().interrupt();
      throw new MultiprocException("interrupted while waiting for map; its queued work was cancelled", e);
    }
    return result();
  }

  /** Gives up the units not started yet: {@code mapAsync}'s future was cancelled. */
  void cancel() {
    abandon();
  }

  /** The results, or the failure; every unit has ended. */
  @SuppressWarnings("unchecked")
  <R> List<R> result() {
    failureLock.lock();
    try {
      if (cancelled) {
        throw new CancellationException("the pool was terminated while map ran");
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      failureLock.unlock();
    }
    return (List<R>) new MapResults<>(size, chunk, segments);
  }
}
