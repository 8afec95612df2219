package dev.multiproc;

import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;

/**
 * A meeting point for a fixed number of parties: Python's {@code threading.Barrier(n)} /
 * {@code multiprocessing.Barrier(n)}, made by {@link Multiproc#barrier(int)}. Each party calls
 * {@link #await()}; when the last one arrives, all of them go on together and the barrier is ready
 * for the next round (it is cyclic).
 *
 * <h2>Broken barriers</h2>
 *
 * A barrier breaks when a party waiting at it times out, is interrupted (or, on the process
 * backend, its child process dies), or when {@link #abort()} is called. Every party waiting then
 * and every later {@code await} throws {@link BrokenBarrierException} until {@link #reset()}.
 * This follows Python, where an exception in a waiting thread breaks the barrier, and
 * {@link java.util.concurrent.CyclicBarrier}.
 *
 * <p>A task may capture the barrier and use it inside any worker of the backend that made it.
 *
 * <h2>Memory consistency</h2>
 *
 * Actions of each party before its {@code await} happen-before the actions of every party after
 * the {@code await} of the same round returns.
 */
public interface Barrier {

  /**
   * Waits until all parties have called {@code await}: Python's {@code barrier.wait()}.
   *
   * @return the arrival index of this party in this round: 0 for the first to arrive, up to
   *     {@code parties() - 1} for the last (Python's return value)
   * @throws InterruptedException if interrupted on entry or while waiting; the barrier is broken
   * @throws BrokenBarrierException if the barrier is broken, or breaks while this party waits
   */
  int await() throws InterruptedException, BrokenBarrierException;

  /**
   * As {@link #await()}, waiting at most {@code timeout}: Python's {@code barrier.wait(timeout)}.
   * A timeout breaks the barrier for the others.
   *
   * @param timeout how long to wait; zero or negative means do not wait (unless this is the last
   *     party, the barrier then breaks at once)
   * @return the arrival index, as {@link #await()}
   * @throws InterruptedException if interrupted on entry or while waiting; the barrier is broken
   * @throws BrokenBarrierException if the barrier is broken, or breaks while this party waits
   * @throws TimeoutException if the time ran out first; the barrier is broken
   * @throws NullPointerException if {@code timeout} is null
   */
  int await(Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException;

  /**
   * Returns the barrier to its initial state: parties waiting now get
   * {@link BrokenBarrierException}; a broken barrier is usable again. Python's {@code reset()}.
   */
  void reset();

  /**
   * Breaks the barrier: waiting and later {@code await}s throw {@link BrokenBarrierException}
   * until {@link #reset()}. Python's {@code abort()}.
   */
  void abort();

  /**
   * Python's {@code broken}.
   *
   * @return true if the barrier is broken
   */
  boolean isBroken();

  /**
   * Python's {@code parties}.
   *
   * @return the number of parties needed to pass the barrier
   */
  int parties();

  /**
   * Python's {@code n_waiting}; approximate while parties arrive.
   *
   * @return the number of parties waiting now
   */
  int waiting();
}
