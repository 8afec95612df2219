package dev.multiproc.process;

import dev.multiproc.MultiprocException;
import dev.multiproc.Task;
import dev.multiproc.Worker;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Worker} in its own child JVM: Python's {@code Process} with the {@code spawn} start
 * method. {@code start()} waits until the child is ready, so a child that cannot start fails
 * {@code start()} with its stderr instead of failing later.
 */
final class ProcessWorker implements Worker, Child.Handler {

  private final ProcessBackend backend;
  private final Task task;
  private final String name;
  private final boolean daemon;
  private final ReentrantLock lock = new ReentrantLock();
  private final CountDownLatch ended = new CountDownLatch(1);
  private boolean started;
  private volatile Child child;
  private volatile Integer exitCode;
  private volatile Throwable failure;

  ProcessWorker(ProcessBackend backend, Task task, String name, boolean daemon) {
    this.backend = backend;
    this.task = task;
    this.name = name;
    this.daemon = daemon;
  }

  @Override
  public Worker start() {
    lock.lock();
    try {
      if (started) {
        throw new IllegalStateException("worker " + name + " was already started; a worker runs once");
      }
      Buf payload = new Buf(256).writeString(name);
      Codec.writeValue(task, "task", payload);
      backend.checkOpen();
      Child c = Child.start(backend, name, daemon, this);
      backend.workerStarted(this, c);
      child = c;
      try {
        c.awaitReady(backend.settings().startTimeout());
        c.send(Msg.RUN_WORKER, 0, payload);
      } catch (RuntimeException e) {
        c.kill();
        c.awaitGone(Duration.ofSeconds(5));
        throw e;
      } catch (IOException e) {
        c.kill();
        c.awaitGone(Duration.ofSeconds(5));
        throw new MultiprocException("the child JVM for " + name + " went away while starting: " + c.outputTail(), e);
      }
      started = true;
      return this;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void message(Child c, int type, long id, Buf.In m) {
    if (type == Msg.WORKER_DONE && m.readByte() == 0) {
      failure = Codec.readFailure(m);
    }
  }

  @Override
  public void exited(Child c, int code, String outputTail) {
    exitCode = code;
    ended.countDown();
    backend.workerEnded(this);
  }

  @Override
  public void join() throws InterruptedException {
    checkStarted();
    ended.await();
  }

  @Override
  public boolean join(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    checkStarted();
    return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void checkStarted() {
    lock.lock();
    try {
      if (!started) {
        throw new IllegalStateException("worker " + name + " was never started; call start() before join()");
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isAlive() {
    return child != null && ended.getCount() > 0;
  }

  @Override
  public void terminate() {
    Child c = child;
    if (c != null && isAlive()) {
      c.terminate();
    }
  }

  @Override
  public void kill() {
    Child c = child;
    if (c != null && isAlive()) {
      c.kill();
    }
  }

  @Override
  public OptionalInt exitCode() {
    Integer c = exitCode;
    return c == null ? OptionalInt.empty() : OptionalInt.of(c);
  }

  @Override
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public OptionalLong pid() {
    Child c = child;
    return c == null ? OptionalLong.empty() : OptionalLong.of(c.pid());
  }

  @Override
  public boolean isDaemon() {
    return daemon;
  }

  @Override
  public String toString() {
    Child c = child;
    return "ProcessWorker{" + name + (c == null ? "" : ", pid " + c.pid())
        + (isAlive() ? ", alive" : exitCode == null ? "" : ", exit " + exitCode) + "}";
  }
}
