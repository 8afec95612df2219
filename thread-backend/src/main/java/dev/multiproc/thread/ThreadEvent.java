package dev.multiproc.thread;

import dev.multiproc.Event;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link Event} in this JVM. A {@code set()} wakes every waiter even if {@code clear()} follows
 * before they run (a generation count, as Python's {@code threading.Event} behaves).
 *
 * <p>Public so that other backends can reuse it; not part of the user API.
 */
public final class ThreadEvent implements Event {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private volatile boolean flag;
  private long generation;

  @Override
  public void set() {
    lock.lock();
    try {
      if (!flag) {
        flag = true;
        generation++;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void clear() {
    lock.lock();
    try {
      flag = false;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isSet() {
    return flag;
  }

  @Override
  public void await() throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (flag) {
      return;
    }
    lock.lockInterruptibly();
    try {
      long seen = generation;
      while (!flag && generation == seen) {
        changed.await();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean await(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (flag) {
      return true;
    }
    long nanos = timeout.toNanos();
    lock.lockInterruptibly();
    try {
      long seen = generation;
      while (!flag && generation == seen) {
        if (nanos <= 0) {
          return false;
        }
        nanos = changed.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "ThreadEvent{" + (flag ? "set" : "clear") + "}";
  }
}
