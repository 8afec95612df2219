package dev.multiproc.thread;

import dev.multiproc.Task;
import dev.multiproc.Worker;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Worker} on one thread. {@code terminate()} and {@code kill()} interrupt it: Java cannot
 * stop a thread that ignores interrupts. Once asked to stop, the exit code is -15 or -9 when the
 * thread ends, as for a signalled process.
 */
final class ThreadWorker implements Worker {

  private final ThreadBackend backend;
  private final Task task;
  private final String name;
  private final boolean daemon;
  private final AtomicBoolean started = new AtomicBoolean();
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile Thread thread;
  private volatile int signal;
  private volatile Integer exitCode;
  private volatile Throwable failure;

  ThreadWorker(ThreadBackend backend, Task task, String name, boolean daemon) {
    this.backend = backend;
    this.task = task;
    this.name = name;
    this.daemon = daemon;
  }

  @Override
  public Worker start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("worker " + name + " was already started; a worker runs once");
    }
    try {
      backend.workerStarted(this); // calls launch() unless the backend is closed
    } catch (RuntimeException | Error e) {
      started.set(false); // never ran: not alive, and join() says it was never started
      throw e;
    }
    return this;
  }

  /**
   * Makes and starts the thread. Called by the backend under its lock, after it checked that it is
   * open, so that {@code close()} either sees this worker with its thread or refuses to start it.
   */
  void launch() {
    Thread t = backend.threads().newThread(name, daemon, this::run);
    thread = t;
    t.start();
  }

  private void run() {
    int code = 0;
    try {
      task.run();
    } catch (Throwable t) {
      code = 1;
      if (signal == 0 || !(t instanceof InterruptedException)) {
        failure = t; // the interrupt of terminate()/kill() is how it stopped, not a failure (as in Python)
      }
      if (signal == 0) {
        System.err.println("Exception in worker \"" + name + "\":");
        t.printStackTrace();
      }
    } finally {
      exitCode = signal != 0 ? -signal : code;
      ended.countDown();
      backend.workerEnded(this);
    }
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
    if (!started.get()) {
      throw new IllegalStateException("worker " + name + " was never started; call start() before join()");
    }
  }

  @Override
  public boolean isAlive() {
    return started.get() && ended.getCount() > 0;
  }

  @Override
  public void terminate() {
    stop(15);
  }

  @Override
  public void kill() {
    stop(9);
  }

  private void stop(int sig) {
    Thread t = thread;
    if (t != null && isAlive()) {
      if (signal == 0) {
        signal = sig;
      }
      t.interrupt();
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
    return OptionalLong.empty();
  }

  @Override
  public boolean isDaemon() {
    return daemon;
  }

  @Override
  public String toString() {
    return "ThreadWorker{" + name + (isAlive() ? ", alive" : exitCode().isPresent() ? ", exit " + exitCode : "") + "}";
  }
}
