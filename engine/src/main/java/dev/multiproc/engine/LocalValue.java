package dev.multiproc.engine;

import dev.multiproc.Value;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Value} in this JVM: an {@link AtomicLong}.
 *
 * <p>Internal: shared by the backends, no compatibility promise.
 */
public final class LocalValue implements Value {

  private final AtomicLong value;

  /** @param initial the initial value */
  public LocalValue(long initial) {
    this.value = new AtomicLong(initial);
  }

  @Override
  public long get() {
    return value.get();
  }

  @Override
  public void set(long v) {
    value.set(v);
  }

  @Override
  public long addAndGet(long delta) {
    return value.addAndGet(delta);
  }

  @Override
  public long getAndAdd(long delta) {
    return value.getAndAdd(delta);
  }

  @Override
  public boolean compareAndSet(long expected, long newValue) {
    return value.compareAndSet(expected, newValue);
  }

  @Override
  public String toString() {
    return "LocalValue{" + get() + "}";
  }
}
