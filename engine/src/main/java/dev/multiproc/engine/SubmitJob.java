package dev.multiproc.engine;

import java.util.concurrent.CompletableFuture;

/** The job of one {@code submit}: completes a future. */
final class SubmitJob<R> extends Job {
  final CompletableFuture<R> future = new CompletableFuture<>();

  SubmitJob(AbstractPool pool) {
    super(pool, null);
  }

  @Override
  @SuppressWarnings("unchecked")
  void unitDone(WorkUnit u, Object[] results, Throwable[] failures) {
    if (failures != null && failures[0] != null) {
      future.completeExceptionally(failures[0]);
    } else {
      future.complete((R) results[0]);
    }
  }

  @Override
  void unitFailed(WorkUnit u, Throwable failure) {
    future.completeExceptionally(failure);
  }

  @Override
  boolean abandoned() {
    return future.isCancelled();
  }
}
