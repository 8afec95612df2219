package dev.multiproc.engine;

import dev.multiproc.PoolOptions;
import dev.multiproc.Task;
import dev.multiproc.TaskCallable;
import dev.multiproc.TaskFunction;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/** A pool whose executors are threads of the backend's kind (platform or virtual). */
final class LocalPool extends AbstractPool {

  private final LocalBackend backend;
  private final ReentrantLock lock = new ReentrantLock();
  private final ExecutorSet<Executor> executors = new ExecutorSet<>(lock);
  private int started;

  LocalPool(LocalBackend backend, PoolOptions options) {
    super(options, backend.threads());
    this.backend = backend;
    lock.lock();
    try {
      for (int i = 0; i < options.workers(); i++) {
        startExecutor();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Holds lock. */
  private void startExecutor() {
    Executor e = new Executor(options.name() + "-" + (++started));
    executors.addLocked(e);
    e.thread.start();
  }

  private void replace(Executor old) {
    lock.lock();
    try {
      executors.removeLocked(old);
      if (!isTerminated()) {
        startExecutor();
      }
    } finally {
      lock.unlock();
    }
  }

  private void ended(Executor e) {
    executors.remove(e);
  }

  @Override
  protected Object prepareFunction(TaskFunction<?, ?> fn) {
    backend.checkShippable(fn, "the function");
    return null;
  }

  @Override
  protected Object prepareItems(Object[] items, int offset, int count, long firstIndex) {
    if (backend.checksShippable()) {
      for (int i = 0; i < count; i++) {
        backend.checkShippable(items[offset + i], "item " + (firstIndex + i));
      }
    }
    return null;
  }

  @Override
  protected Object prepareCall(TaskCallable<?> task) {
    backend.checkShippable(task, "the task");
    return null;
  }

  @Override
  protected void timedOut(WorkUnit unit) {
    Executor stuck = null;
    lock.lock();
    try {
      for (Executor e : executors.allLocked()) {
        if (e.current == unit) {
          stuck = e;
          break;
        }
      }
      if (stuck != null) {
        // Under the lock that the executor takes to leave the unit (see Executor.leave), so the
        // interrupt cannot reach the next unit it runs.
        stuck.abandoned = true;
        stuck.thread.interrupt();
      }
    } finally {
      lock.unlock();
    }
    if (stuck != null) {
      replace(stuck);
    }
  }

  @Override
  protected void stopExecutors(boolean force) {
    List<Executor> all = executors.snapshot();
    if (force) {
      for (Executor e : all) {
        e.thread.interrupt();
      }
    } else {
      awaitExecutors(backend.shutdownTimeout());
    }
    backend.poolEnded(this);
  }

  /** Waits until every executor thread has ended, at most {@code timeout}. */
  boolean awaitExecutors(Duration timeout) {
    return executors.awaitEmpty(timeout);
  }

  private final class Executor implements Runnable {
    final String name;
    final Thread thread;
    volatile WorkUnit current;
    volatile boolean abandoned;

    Executor(String name) {
      this.name = name;
      this.thread = backend.threads().newThread(name, true, this);
    }

    @Override
    public void run() {
      try {
        Task init = options.initializer().orElse(null);
        if (init != null) {
          try {
            init.run();
          } catch (Throwable t) {
            initializerFailed(name, t);
            return;
          }
        }
        int done = 0;
        while (true) {
          WorkUnit unit;
          try {
            unit = take();
          } catch (InterruptedException e) {
            if (abandoned || isTerminated()) {
              return;
            }
            continue;
          }
          if (unit == null) {
            return;
          }
          current = unit;
          Events.Chunk event = Events.recording() ? new Events.Chunk() : null;
          if (event != null) {
            event.begin();
          }
          runUnit(unit, backend);
          if (event != null && event.shouldCommit()) {
            event.pool = options.name();
            event.items = unit.isCall() ? 0 : unit.size();
            event.commit();
          }
          if (leave()) {
            return;
          }
          if (options.maxTasksPerWorker() > 0 && ++done >= options.maxTasksPerWorker()) {
            replace(this);
            return;
          }
        }
      } finally {
        ended(this);
      }
    }

    /**
     * Leaves the unit just run, under the pool's lock so that {@link #timedOut} either interrupts
     * this thread while it still holds that unit or not at all.
     *
     * @return true if the unit timed out and this executor was abandoned: end the thread
     */
    private boolean leave() {
      boolean stop;
      lock.lock();
      try {
        current = null;
        stop = abandoned;
      } finally {
        lock.unlock();
      }
      Thread.interrupted(); // an interrupt meant for that task must not reach the next one
      return stop;
    }
  }

  /** Runs a unit; with {@code multiproc.<backend>.check-shippable}, results are checked as they would travel. */
  static void runUnit(WorkUnit unit, LocalBackend backend) {
    if (unit.isAbandoned()) {
      unit.skip();
      return;
    }
    if (unit.isCall()) {
      Object result = null;
      Throwable failure = null;
      try {
        result = unit.callable().call();
        backend.checkShippable(result, "the task's result");
      } catch (Throwable t) {
        failure = t;
      }
      unit.completeCall(failure == null ? result : null, failure);
      return;
    }
    int n = unit.size();
    Object[] results = new Object[n];
    Throwable[] failures = null;
    var fn = unit.function();
    for (int i = 0; i < n; i++) {
      try {
        results[i] = fn.apply(unit.item(i));
        backend.checkShippable(results[i], "the result of an item");
      } catch (Throwable t) {
        results[i] = null;
        if (failures == null) {
          failures = new Throwable[n];
        }
        failures[i] = t;
      }
    }
    unit.complete(results, failures);
  }

  @Override
  public String toString() {
    return "LocalPool{" + options.name() + ", workers=" + options.workers() + "}";
  }
}
