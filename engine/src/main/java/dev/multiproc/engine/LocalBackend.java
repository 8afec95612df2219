package dev.multiproc.engine;

import dev.multiproc.Backend;
import dev.multiproc.Barrier;
import dev.multiproc.Event;
import dev.multiproc.JoinableQueue;
import dev.multiproc.Lock;
import dev.multiproc.Pipe;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Semaphore;
import dev.multiproc.SharedMap;
import dev.multiproc.Task;
import dev.multiproc.Value;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.time.Duration;
import java.util.Objects;
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
 *       monitors, so virtual threads do not pin on them; so are the locks, semaphores, barriers,
 *       joinable queues and pipes ({@code Local*} in this package), which the process backend's
 *       hub reuses for its own state.
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
 * <p>Internal: the {@code thread} and {@code virtual-thread} providers open it; users get it through
 * {@link dev.multiproc.Multiproc}. No compatibility promise.
 */
public final class LocalBackend implements Backend {

  /** How long closing waits before it warns that threads ignore their interrupts. */
  private static final Duration NOTICE = Duration.ofSeconds(1);
  /** Made on first use: a logger starts the logging framework (15-40 ms), which a backend that logs nothing should not pay. */
  private static final class Log {
    static final System.Logger LOG = System.getLogger("dev.multiproc");
  }

  private final String name;
  private final ThreadMaker threads;
  private final Duration shutdownTimeout;
  private final boolean checkShippable;
  private final BackendLifecycle lifecycle;
  private final AtomicInteger workerNumbers = new AtomicInteger();
  // Keeps the JVM alive while a non-daemon worker runs on a virtual thread (always a daemon).
  private final ReentrantLock keepAliveLock = new ReentrantLock();
  private final Condition noLiveNonDaemons = keepAliveLock.newCondition();
  private int nonDaemonVirtualWorkers;

  /**
   * @param name the backend's name
   * @param threads makes its threads
   * @param shutdownTimeout how long {@link #close()} waits for threads that ignore interrupts
   */
  public LocalBackend(String name, ThreadMaker threads, Duration shutdownTimeout) {
    this(name, threads, shutdownTimeout, false);
  }

  /**
   * @param name the backend's name
   * @param threads makes its threads
   * @param shutdownTimeout how long {@link #close()} waits for threads that ignore interrupts
   * @param checkShippable whether every task, function, initializer, item and result is put
   *     through serialization first and refused as the process backend would refuse it
   *     ({@code multiproc.<name>.check-shippable})
   */
  public LocalBackend(String name, ThreadMaker threads, Duration shutdownTimeout, boolean checkShippable) {
    this.name = Objects.requireNonNull(name, "name");
    this.threads = Objects.requireNonNull(threads, "threads");
    this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    this.lifecycle = new BackendLifecycle(name);
    this.checkShippable = checkShippable;
  }

  /** Checks {@code value} as the process backend would ship it, if this backend checks. */
  void checkShippable(Object value, String what) {
    if (checkShippable) {
      ShippableCheck.check(value, what, name);
    }
  }

  boolean checksShippable() {
    return checkShippable;
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
    lifecycle.checkOpen();
    options.initializer().ifPresent(init -> checkShippable(init, "the pool's initializer"));
    return lifecycle.poolOpened(new LocalPool(this, options));
  }

  @Override
  public <T> Queue<T> newQueue(int maxSize) {
    lifecycle.checkOpen();
    return new LocalQueue<>(maxSize);
  }

  @Override
  public Event newEvent() {
    lifecycle.checkOpen();
    return new LocalEvent();
  }

  @Override
  public Lock newLock() {
    lifecycle.checkOpen();
    return new LocalLock();
  }

  @Override
  public Lock newRLock() {
    lifecycle.checkOpen();
    return new LocalRLock();
  }

  @Override
  public Semaphore newSemaphore(int permits) {
    lifecycle.checkOpen();
    return new LocalSemaphore(permits, false);
  }

  @Override
  public Semaphore newBoundedSemaphore(int permits) {
    lifecycle.checkOpen();
    return new LocalSemaphore(permits, true);
  }

  @Override
  public Barrier newBarrier(int parties) {
    lifecycle.checkOpen();
    return new LocalBarrier(parties);
  }

  @Override
  public <T> JoinableQueue<T> newJoinableQueue(int maxSize) {
    lifecycle.checkOpen();
    return new LocalJoinableQueue<>(maxSize);
  }

  @Override
  public <T> Pipe<T> newPipe() {
    lifecycle.checkOpen();
    return LocalConnection.pipe();
  }

  @Override
  public Value newValue(long initial) {
    lifecycle.checkOpen();
    return new LocalValue(initial);
  }

  @Override
  public <K, V> SharedMap<K, V> newSharedMap() {
    lifecycle.checkOpen();
    return new LocalSharedMap<>();
  }

  @Override
  public Worker newWorker(Task task, WorkerOptions options) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(options, "options");
    lifecycle.checkOpen();
    checkShippable(task, "the worker's task");
    String workerName = options.name().orElseGet(() -> "Worker-" + workerNumbers.incrementAndGet());
    return new LocalWorker(this, task, workerName, options.daemon());
  }

  /** Registers and launches a worker, or throws if closed; the thread is made only if it will run. */
  void workerStarted(LocalWorker w) {
    lifecycle.workerStarted(w, () -> {
      if (threads.isVirtual() && !w.isDaemon()) {
        // Counted before the thread runs, so that its end (workerEnded) always finds it counted.
        keepAliveLock.lock();
        try {
          if (nonDaemonVirtualWorkers++ == 0) {
            threads.newPlatformThread(name + "-keep-alive", false, this::keepAlive).start();
          }
        } finally {
          keepAliveLock.unlock();
        }
      }
      w.launch();
    });
  }

  void workerEnded(LocalWorker w) {
    if (threads.isVirtual() && !w.isDaemon()) {
      keepAliveLock.lock();
      try {
        if (--nonDaemonVirtualWorkers == 0) {
          noLiveNonDaemons.signalAll();
        }
      } finally {
        keepAliveLock.unlock();
      }
    }
    lifecycle.workerEnded(w);
  }

  /** Runs while a non-daemon virtual worker is alive, so the JVM waits for it. */
  private void keepAlive() {
    keepAliveLock.lock();
    try {
      while (nonDaemonVirtualWorkers > 0) {
        noLiveNonDaemons.awaitUninterruptibly();
      }
    } finally {
      keepAliveLock.unlock();
    }
  }

  void poolEnded(LocalPool pool) {
    lifecycle.poolEnded(pool);
  }

  /**
   * Terminates every pool, kills every worker, and waits up to the shutdown timeout for all of
   * this backend's threads to end.
   */
  @Override
  public void close() {
    lifecycle.close();
    Duration first = shutdownTimeout.compareTo(NOTICE) < 0 ? shutdownTimeout : NOTICE;
    if (lifecycle.awaitUntil(() -> threads.liveThreads() == 0, first)) {
      return;
    }
    String key = "multiproc." + name + ".shutdown-timeout";
    Log.LOG.log(System.Logger.Level.WARNING, "closing the " + name + " backend waits for threads that go on after"
        + " being interrupted (a task in code that ignores interrupts): " + threads.runningThreadNames()
        + "; it waits at most " + key + "=" + shutdownTimeout + ".");
    if (!lifecycle.awaitUntil(() -> threads.liveThreads() == 0, shutdownTimeout.minus(first))) {
      Log.LOG.log(System.Logger.Level.WARNING, "the " + name + " backend is closed, but after " + key + "="
          + shutdownTimeout + " these threads still run: " + threads.runningThreadNames()
          + ". Java cannot stop a thread; pool threads are daemons, a non-daemon worker keeps the JVM alive.");
    }
  }

  @Override
  public String toString() {
    return "LocalBackend{" + name + (lifecycle.isClosed() ? ", closed" : "") + "}";
  }
}
