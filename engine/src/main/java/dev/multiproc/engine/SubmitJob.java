package dev.multiproc.engine;

/** The job of one {@code submit}: completes a future ({@link AbstractPool#completeOutside}). */
final class SubmitJob<R> extends Job {
  final PoolFuture<R> future = new PoolFuture<>();

  SubmitJob(AbstractPool pool) {
    super(pool, null);
  }

  @Override
  @SuppressWarnings("unchecked")
  void unitDone(WorkUnit u, Object[] results, Throwable[] failures) {
    if (failures != null && failures[0] != null) {
      pool.completeOutside(future, () -> future.completeExceptionally(failures[0]));
    } else {
      R result = (R) results[0];
      pool.completeOutside(future, () -> future.complete(result));
    }
  }

  @Override
  void unitFailed(WorkUnit u, Throwable failure) {
    pool.completeOutside(future, () -> future.completeExceptionally(failure));
  }

  @Override
  boolean abandoned() {
    return future.isCancelled();
  }
}
