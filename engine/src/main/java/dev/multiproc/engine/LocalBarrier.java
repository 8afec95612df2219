package dev.multiproc.engine;

import dev.multiproc.Barrier;
import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Barrier} in this JVM, built as {@link java.util.concurrent.CyclicBarrier} is (a lock, a
 * condition and one generation object per round) but with Python's arrival indexes and
 * {@link #abort()}, which {@code CyclicBarrier} lacks. Never a monitor.
 *
 * <p>Internal: shared by the backends (the process backend serves its children's waits from it),
 * no compatibility promise.
 */
public final class LocalBarrier implements Barrier {

  /** One round; {@code broken} is guarded by the lock. */
  private static final class Generation {
    boolean broken;
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition trip = lock.newCondition();
  private final int parties;
  private Generation generation = new Generation(); // guarded by lock
  private int count; // parties waiting in this round; guarded by lock

  /**
   * @param parties the number of parties, at least 1
   * @throws IllegalArgumentException if {@code parties} is less than 1
   */
  public LocalBarrier(int parties) {
    if (parties < 1) {
      throw new IllegalArgumentException("parties must be at least 1, got " + parties);
    }
    this.parties = parties;
  }

  @Override
  public int await() throws InterruptedException, BrokenBarrierException {
    try {
      return await(Waits.FOREVER);
    } catch (TimeoutException e) {
      throw new AssertionError("an untimed wait timed out", e);
    }
  }

  @Override
  public int await(Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException {
    return await(Waits.nanos(timeout));
  }

  /**
   * Waits at most {@code nanos} for the other parties.
   *
   * @param nanos {@link Waits#FOREVER} for no limit; zero or less: do not wait
   * @return the arrival index, 0 for the first party
   * @throws InterruptedException if interrupted on entry or while waiting (the barrier breaks)
   * @throws BrokenBarrierException if the barrier is or becomes broken
   * @throws TimeoutException if the time runs out (the barrier breaks)
   */
  public int await(long nanos) throws InterruptedException, BrokenBarrierException, TimeoutException {
    lock.lock();
    try {
      Generation g = generation;
      if (g.broken) {
        throw new BrokenBarrierException();
      }
      if (Thread.interrupted()) {
        breakBarrier();
        throw new InterruptedException();
      }
      int index = count++;
      if (count == parties) {
        count = 0;
        generation = new Generation();
        trip.signalAll();
        return index;
      }
      while (true) {
        try {
          if (nanos == Waits.FOREVER) {
            trip.await();
          } else if (nanos > 0) {
            nanos = trip.awaitNanos(nanos);
          }
        } catch (InterruptedException e) {
          if (g == generation && !g.broken) {
            breakBarrier();
            throw e;
          }
          Thread.currentThread().interrupt(); // the round is over: keep the flag, report the round
        }
        if (g.broken) {
          throw new BrokenBarrierException();
        }
        if (g != generation) {
          return index;
        }
        if (nanos != Waits.FOREVER && nanos <= 0) {
          breakBarrier();
          throw new TimeoutException("the barrier's " + parties + " parties did not all arrive in time");
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Breaks this round; lock held. */
  private void breakBarrier() {
    generation.broken = true;
    count = 0;
    trip.signalAll();
  }

  @Override
  public void reset() {
    lock.lock();
    try {
      breakBarrier();
      generation = new Generation();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void abort() {
    lock.lock();
    try {
      breakBarrier();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isBroken() {
    lock.lock();
    try {
      return generation.broken;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int parties() {
    return parties;
  }

  @Override
  public int waiting() {
    lock.lock();
    try {
      return count;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "LocalBarrier{" + waiting() + "/" + parties + (isBroken() ? ", broken" : "") + "}";
  }
}
