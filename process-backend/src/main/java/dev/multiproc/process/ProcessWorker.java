package dev.multiproc.process;

import dev.multiproc.MultiprocException;
import dev.multiproc.Task;
import dev.multiproc.Worker;
import dev.multiproc.engine.AbstractWorker;
import java.io.IOException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Worker} in its own child JVM: Python's {@code Process} with the {@code spawn} start
 * method. {@code start()} adopts a spare child if the backend has one ready, else starts one, and
 * waits until the child is ready, so a child that cannot start fails {@code start()} with its
 * stderr instead of failing later.
 */
final class ProcessWorker extends AbstractWorker implements Child.Handler {

  private final ProcessBackend backend;
  private final Task task;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile boolean started;
  private volatile Child child;

  ProcessWorker(ProcessBackend backend, Task task, String name, boolean daemon) {
    super(name, daemon);
    this.backend = backend;
    this.task = task;
  }

  @Override
  protected boolean hasStarted() {
    return started;
  }

  @Override
  public Worker start() {
    lock.lock();
    try {
      if (started) {
        throw new IllegalStateException("worker " + name() + " was already started; a worker runs once");
      }
      Buf payload = new Buf(256).writeString(name());
      Codec.writeValue(task, "task", payload);
      backend.checkOpen();
      Child c = backend.takeSpare(name(), isDaemon(), this);
      boolean adopted = c != null;
      if (adopted) {
        backend.refillSpares(c); // its replacement starts once this one is done, or has run a while
      } else {
        c = Child.start(backend, name(), isDaemon(), this);
      }
      backend.workerStarted(this, c);
      child = c;
      try {
        c.awaitReady(backend.settings().startTimeout());
        c.send(Msg.RUN_WORKER, 0, payload);
        if (!adopted) {
          backend.refillSpares(c); // the first spare starts once this child is up and done, or has run a while
        }
      } catch (RuntimeException e) {
        c.kill();
        c.awaitGone(Duration.ofSeconds(5));
        throw e;
      } catch (IOException e) {
        c.kill();
        c.awaitGone(Duration.ofSeconds(5));
        throw new MultiprocException("the child JVM for " + name() + " went away while starting: " + c.outputTail(), e);
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
      failed(Codec.readFailure(m));
    }
  }

  @Override
  public void exited(Child c, int code, String outputTail) {
    ended(code, null);
    backend.workerEnded(this);
  }

  @Override
  public boolean isAlive() {
    return child != null && !hasEnded();
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
  public OptionalLong pid() {
    Child c = child;
    return c == null ? OptionalLong.empty() : OptionalLong.of(c.pid());
  }

  @Override
  public String toString() {
    Child c = child;
    return "ProcessWorker{" + name() + (c == null ? "" : ", pid " + c.pid()) + ", " + state() + "}";
  }
}
