package dev.multiproc.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The future of a {@code submit} or a {@code mapAsync}, which knows which of its dependents are the
 * pool's own. {@link AbstractPool#completeOutside} completes a future on the thread its work ended
 * on (a pool worker, a process pool's reader) only if no stage of the user's depends on it, since a
 * stage may block on the pool itself. A {@code CompletableFuture} counts a thread waiting in
 * {@code get()} or {@code join()} as a dependent, and the pool's own reaction to cancellation is
 * one: counted alike, every {@code submit(...).get()} was completed on a virtual thread of its
 * own, a hand-off more per round trip (a process pool's {@code submit} round trip: benchmarks/RESULTS.md).
 * Here a waiting thread waits on a latch that one dependent of the pool's own opens, and
 * {@link #onlyOwnDependents()} tells the two kinds apart.
 */
final class PoolFuture<T> extends CompletableFuture<T> {

  /** Dependents registered by the pool, each counted only once it is pushed (so never more than there are). */
  private final AtomicInteger own = new AtomicInteger();
  private final AtomicBoolean latchArmed = new AtomicBoolean();
  private final CountDownLatch completed = new CountDownLatch(1);

  /** Runs {@code reaction} (quick, never blocking) if the future is cancelled. */
  void onCancel(Runnable reaction) {
    whenComplete((r, t) -> {
      if (isCancelled()) {
        reaction.run();
      }
    });
    own.incrementAndGet();
  }

  /**
   * True if completing the future runs no stage but the pool's own. {@link #own} is read first:
   * each of its increments follows the push of its dependent, which stays until completion, so
   * the count read after it includes every one of the pool's that {@code own} counted.
   */
  boolean onlyOwnDependents() {
    int ours = own.get();
    return getNumberOfDependents() <= ours;
  }

  /** Makes {@link #completed} open when the future completes, however it does. */
  private void armLatch() {
    if (latchArmed.compareAndSet(false, true)) {
      whenComplete((r, t) -> completed.countDown());
      own.incrementAndGet();
    }
  }

  @Override
  public T get() throws InterruptedException, ExecutionException {
    if (!isDone()) {
      armLatch();
      completed.await();
    }
    return super.get();
  }

  @Override
  public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
    if (!isDone()) {
      armLatch();
      if (!completed.await(timeout, unit)) {
        throw new TimeoutException();
      }
    }
    return super.get();
  }

  @Override
  public T join() {
    if (!isDone()) {
      armLatch();
      boolean interrupted = false;
      while (true) {
        try {
          completed.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // join() waits on, as CompletableFuture's does, and keeps the interrupt
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return super.join();
  }
}
