package dev.multiproc.engine;

import dev.multiproc.Worker;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What every {@link Worker} shares, whatever runs it (a thread, a child JVM, a cluster member): its
 * name and daemon flag, the end of its run with an exit code and the task's failure, and the
 * {@code join}s that wait for that end. A subclass starts and stops the run and reports its end
 * once through {@link #ended(int, Throwable)}.
 *
 * <p>Internal: shared by the backends, no compatibility promise.
 */
public abstract class AbstractWorker implements Worker {

  private final String name;
  private final boolean daemon;
  private final CountDownLatch end = new CountDownLatch(1);
  private volatile Integer exitCode;
  private volatile Throwable failure;

  /**
   * @param name the worker's name
   * @param daemon whether it is a daemon
   */
  protected AbstractWorker(String name, boolean daemon) {
    this.name = Objects.requireNonNull(name, "name");
    this.daemon = daemon;
  }

  /** @return true once {@link #start()} has succeeded */
  protected abstract boolean hasStarted();

  /**
   * The run ended: records the outcome and releases every {@code join}. Call once.
   *
   * @param code the exit code (0, 1 if the task threw, -N if stopped by signal N)
   * @param thrown what the task threw, or null
   */
  protected final void ended(int code, Throwable thrown) {
    if (thrown != null) {
      failure = thrown;
    }
    exitCode = code;
    end.countDown();
  }

  /**
   * Records what the task threw before the run has ended (a child reports it before it exits).
   *
   * @param thrown what the task threw
   */
  protected final void failed(Throwable thrown) {
    failure = thrown;
  }

  /** @return true once the run has ended */
  protected final boolean hasEnded() {
    return end.getCount() == 0;
  }

  @Override
  public final void join() throws InterruptedException {
    checkStarted();
    end.await();
  }

  @Override
  public final boolean join(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    checkStarted();
    return end.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void checkStarted() {
    if (!hasStarted()) {
      throw new IllegalStateException("worker " + name + " was never started; call start() before join()");
    }
  }

  @Override
  public boolean isAlive() {
    return hasStarted() && !hasEnded();
  }

  @Override
  public final OptionalInt exitCode() {
    Integer c = exitCode;
    return c == null ? OptionalInt.empty() : OptionalInt.of(c);
  }

  @Override
  public final Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final boolean isDaemon() {
    return daemon;
  }

  /** @return "alive", "exit N" or "" (not started), for {@code toString} */
  protected final String state() {
    return isAlive() ? "alive" : exitCode == null ? "not started" : "exit " + exitCode;
  }
}
