package dev.multiproc.engine;

import dev.multiproc.Event;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link Event} in this JVM. A {@code set()} wakes every waiter even if {@code clear()} follows
 * before they run, as Python's {@code threading.Event} behaves: each "clear" period is a
 * generation with a latch of its own; {@code set()} opens the current one, {@code clear()} starts
 * a new one, and a waiter waits on the latch it saw. Waiters take no lock, so a million of them are
 * released by the latch's shared-mode wake-up rather than queueing for a lock one by one.
 *
 * <p>Internal: shared by the backends, no compatibility promise.
 */
public final class LocalEvent implements Event {

  private final ReentrantLock lock = new ReentrantLock(); // orders set() and clear()
  private volatile CountDownLatch gate = new CountDownLatch(1);

  @Override
  public void set() {
    lock.lock();
    try {
      gate.countDown();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void clear() {
    lock.lock();
    try {
      if (gate.getCount() == 0) {
        gate = new CountDownLatch(1);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isSet() {
    return gate.getCount() == 0;
  }

  @Override
  public void await() throws InterruptedException {
    gate.await(); // throws if interrupted, even when set
  }

  @Override
  public boolean await(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    return gate.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public String toString() {
    return "LocalEvent{" + (isSet() ? "set" : "clear") + "}";
  }
}
