package dev.multiproc.engine;

import dev.multiproc.Event;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

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
  private volatile Consumer<Boolean> mirror;

  /**
   * Tells {@code to} the flag now and after every {@link #set()} and {@link #clear()}, in their
   * order (under the event's lock): the process backend keeps a copy in shared memory that its children
   * read without asking.
   *
   * @param to what to tell
   */
  public void mirror(Consumer<Boolean> to) {
    Objects.requireNonNull(to, "to");
    lock.lock();
    try {
      to.accept(isSet());
      mirror = to;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void set() {
    lock.lock();
    try {
      gate.countDown();
      Consumer<Boolean> m = mirror;
      if (m != null) {
        m.accept(true);
      }
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
      Consumer<Boolean> m = mirror;
      if (m != null) {
        m.accept(false);
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
