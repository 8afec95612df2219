package dev.multiproc.process;

import dev.multiproc.engine.Waits;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The acquirers of a shared-memory lock or semaphore ({@link HubSync.LockSlot},
 * {@link HubSync.SemaphoreSlot}) that wait in the hub, parent threads and children's requests
 * alike: what a release frees is handed to them in the order they came ({@link #handOff}), so a
 * waiter is not overtaken by a releaser taking it back at once. While any wait, the slot's waiting
 * word says so, and releasers in other processes come through the hub instead of freeing the word
 * themselves.
 *
 * @param <W> the waiter: what it waits for and for whom
 */
abstract class HandOff<W extends HandOff.Waiter> {

  /** One acquirer waiting. */
  static class Waiter {
    /** Set, under the lock, once what it waits for was taken for it. */
    boolean granted;
  }

  /** Guards the waiters, and whatever the slot does with its word that must not race a hand-off. */
  final ReentrantLock lock = new ReentrantLock();
  private final Condition handed = lock.newCondition();
  private final ArrayDeque<W> waiters = new ArrayDeque<>();

  /** Takes what {@code w} waits for if it is free now. Under the lock. */
  abstract boolean grant(W w);

  /** {@code w} gave up (interrupted) just as it was granted: gives that back. Under the lock. */
  abstract void ungrant(W w);

  /** Adds {@code delta} to the slot's waiting word. */
  abstract void addWaiting(long delta);

  /**
   * Waits until {@code me} is granted what it waits for.
   *
   * @param nanos how long at most ({@link Waits#FOREVER}: no limit)
   * @return false if the time ran out first
   * @throws InterruptedException if interrupted first; nothing is granted then
   */
  boolean await(W me, long nanos) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      addWaiting(1); // before the last look: a release from now on comes through handOff
      waiters.add(me);
      handOff();
      while (!me.granted) {
        if (nanos == Waits.FOREVER) {
          handed.await();
        } else if (nanos <= 0) {
          break;
        } else {
          nanos = handed.awaitNanos(nanos);
        }
      }
      return me.granted;
    } catch (InterruptedException e) {
      if (me.granted) {
        ungrant(me); // handed to us as we gave up: to the next
      }
      throw e;
    } finally {
      if (waiters.remove(me)) {
        addWaiting(-1);
      }
      lock.unlock();
    }
  }

  /** Hands what is free to the waiters, first come first. Under the lock. */
  void handOff() {
    boolean any = false;
    for (W w = waiters.peek(); w != null && grant(w); w = waiters.peek()) {
      waiters.poll();
      addWaiting(-1);
      w.granted = true;
      any = true;
    }
    if (any) {
      handed.signalAll();
    }
  }
}
