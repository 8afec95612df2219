package dev.multiproc.engine;

import dev.multiproc.Task;
import dev.multiproc.Worker;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Worker} on one thread. {@code terminate()} and {@code kill()} interrupt it: Java cannot
 * stop a thread that ignores interrupts. Once asked to stop, the exit code is -15 or -9 when the
 * thread ends, as for a signalled process.
 */
final class LocalWorker extends AbstractWorker {

  private final LocalBackend backend;
  private final Task task;
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile Thread thread;
  private volatile int signal;

  LocalWorker(LocalBackend backend, Task task, String name, boolean daemon) {
    super(name, daemon);
    this.backend = backend;
    this.task = task;
  }

  @Override
  protected boolean hasStarted() {
    return started.get();
  }

  @Override
  public Worker start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("worker " + name() + " was already started; a worker runs once");
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
    Thread t = backend.threads().newThread(name(), isDaemon(), this::run);
    thread = t;
    t.start();
  }

  private void run() {
    int code = 0;
    Throwable thrown = null;
    try {
      task.run();
    } catch (Throwable t) {
      code = 1;
      if (signal == 0 || !(t instanceof InterruptedException)) {
        thrown = t; // the interrupt of terminate()/kill() is how it stopped, not a failure (as in Python)
      }
      if (signal == 0) {
        System.err.println("Exception in worker \"" + name() + "\":");
        t.printStackTrace();
      }
    } finally {
      ended(signal != 0 ? -signal : code, thrown);
      backend.workerEnded(this);
    }
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
  public OptionalLong pid() {
    return OptionalLong.empty();
  }

  @Override
  public String toString() {
    return "LocalWorker{" + name() + ", " + state() + "}";
  }
}
