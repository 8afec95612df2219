package dev.multiproc.thread;

import dev.multiproc.Backend;
import dev.multiproc.Event;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Task;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-JVM backend: pools, queues, events and workers on threads made by a {@link ThreadMaker}
 * (platform threads for {@code thread}, virtual threads for {@code virtual-thread}).
 *
 * <h2>Design notes</h2>
 *
 * <ul>
 *   <li>Threading: a pool is {@code workers} threads pulling chunks from its {@link AbstractPool}
 *       queue; a worker is one thread. Queues and events are lock-and-condition objects, never
 *       monitors, so virtual threads do not pin on them.
 *   <li>Lifecycle: the backend tracks its open pools and running workers. {@link #close()}
 *       terminates the pools, interrupts the workers, and waits (at most
 *       {@code multiproc.<name>.shutdown-timeout}, default 10s) for every thread it made to end.
 *   <li>Daemons: pool threads are daemons. A non-daemon worker on virtual threads (which are
 *       always daemons) holds a platform "keep-alive" thread, so the JVM waits for it as it would
 *       for a Python {@code Process}.
 *   <li>Failure: Java cannot kill a thread. {@code terminate()}/{@code kill()} and task timeouts
 *       interrupt; a timed-out pool thread that ignores the interrupt is abandoned and replaced.
 * </ul>
 *
 * <p>Public so that other backends can reuse it; users get it through
 * {@link dev.multiproc.Multiproc}.
 */
public class ThreadBackend implements Backend {

  private final String name;
  private final ThreadMaker threads;
  private final Duration shutdownTimeout;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Set<ThreadPool> pools = new HashSet<>();
  private final Set<ThreadWorker> workers = new HashSet<>();
  private final AtomicInteger workerNumbers = new AtomicInteger();
  private int nonDaemonVirtualWorkers;
  private Thread keepAlive;
  private boolean closed;

  /**
   * @param name the backend's name
   * @param threads makes its threads
   * @param shutdownTimeout how long {@link #close()} waits for threads that ignore interrupts
   */
  public ThreadBackend(String name, ThreadMaker threads, Duration shutdownTimeout) {
    this.name = Objects.requireNonNull(name, "name");
    this.threads = Objects.requireNonNull(threads, "threads");
    this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
  }

  @Override
  public String name() {
    return name;
  }

  /** @return the maker of this backend's threads; its live count is what {@link #close()} waits for */
  public ThreadMaker threads() {
    return threads;
  }

  Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  @Override
  public Pool newPool(PoolOptions options) {
    Objects.requireNonNull(options, "options");
    lock.lock();
    try {
      checkOpen();
      ThreadPool pool = new ThreadPool(this, options);
      pools.add(pool);
      return pool;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public <T> Queue<T> newQueue(int maxSize) {
    checkOpenNow();
    return new ThreadQueue<>(maxSize);
  }

  @Override
  public Event newEvent() {
    checkOpenNow();
    return new ThreadEvent();
  }

  @Override
  public Worker newWorker(Task task, WorkerOptions options) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(options, "options");
    checkOpenNow();
    String workerName = options.name().orElseGet(() -> "Worker-" + workerNumbers.incrementAndGet());
    return new ThreadWorker(this, task, workerName, options.daemon());
  }

  private void checkOpenNow() {
    lock.lock();
    try {
      checkOpen();
    } finally {
      lock.unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the " + name + " backend is closed");
    }
  }

  /** Registers and launches a worker, or throws if closed; the thread is made only if it will run. */
  void workerStarted(ThreadWorker w) {
    lock.lock();
    try {
      checkOpen();
      w.launch();
      workers.add(w);
      if (threads.isVirtual() && !w.isDaemon() && nonDaemonVirtualWorkers++ == 0) {
        keepAlive = threads.newPlatformThread(name + "-keep-alive", false, this::keepAlive);
        keepAlive.start();
      }
    } finally {
      lock.unlock();
    }
  }

  void workerEnded(ThreadWorker w) {
    lock.lock();
    try {
      workers.remove(w);
      if (threads.isVirtual() && !w.isDaemon()) {
        nonDaemonVirtualWorkers--;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Runs while a non-daemon virtual worker is alive, so the JVM waits for it. */
  private void keepAlive() {
    lock.lock();
    try {
      while (nonDaemonVirtualWorkers > 0) {
        changed.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
  }

  void poolEnded(ThreadPool pool) {
    lock.lock();
    try {
      pools.remove(pool);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Terminates every pool, kills every worker, and waits up to the shutdown timeout for all of
   * this backend's threads to end.
   */
  @Override
  public void close() {
    List<ThreadPool> openPools;
    List<ThreadWorker> liveWorkers;
    lock.lock();
    try {
      closed = true;
      openPools = new ArrayList<>(pools);
      liveWorkers = new ArrayList<>(workers);
    } finally {
      lock.unlock();
    }
    for (ThreadPool p : openPools) {
      p.terminate();
    }
    for (ThreadWorker w : liveWorkers) {
      w.kill();
    }
    awaitThreads();
  }

  /** Waits, bounded by the shutdown timeout, until no thread this backend made is alive. */
  private void awaitThreads() {
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    boolean interrupted = false;
    lock.lock();
    try {
      while (threads.liveThreads() > 0 && System.nanoTime() < deadline) {
        try {
          // Threads end outside this lock; poll the count at a short interval.
          changed.awaitNanos(Math.min(deadline - System.nanoTime(), 5_000_000L));
        } catch (InterruptedException e) {
          interrupted = true;
          break;
        }
      }
    } finally {
      lock.unlock();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "ThreadBackend{" + name + (closed ? ", closed" : "") + "}";
  }
}
