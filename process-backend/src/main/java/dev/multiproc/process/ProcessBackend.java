package dev.multiproc.process;

import dev.multiproc.Backend;
import dev.multiproc.Barrier;
import dev.multiproc.JoinableQueue;
import dev.multiproc.Lock;
import dev.multiproc.Pipe;
import dev.multiproc.Semaphore;
import dev.multiproc.SharedMap;
import dev.multiproc.Value;
import dev.multiproc.Event;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Task;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.engine.BackendLifecycle;
import dev.multiproc.engine.ThreadMaker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code process} backend: every worker is a child JVM, Python's {@code spawn}.
 *
 * <h2>Design notes</h2>
 *
 * <ul>
 *   <li><b>Children.</b> {@code java [defaults] [multiproc.process.jvm-options] -cp <class path>
 *       ChildMain}, with this JVM's {@code java} and the class path (or module path) its classes
 *       really come from ({@link ChildClassPath}) unless configured. A
 *       Worker is one child; a pool keeps {@code workers} children warm and replaces one that dies
 *       or reaches {@code maxTasksPerWorker}. {@link Child} is the parent's handle on one; in the
 *       child, {@link ChildChannel} reads the commands and hands them to the {@link ChildExecutor}
 *       (pool units on one thread, a Worker's task on its own), the {@link ParentCalls} (queue and
 *       event requests of proxies waiting for their reply) and the {@link FrameWriter} (everything
 *       the child sends, its {@code System.out}/{@code err} included).
 *   <li><b>Protocol.</b> Commands go down the child's stdin as length-prefixed messages; events
 *       come up through a ring buffer in shared memory ({@link Ring}), the child's stdout carrying
 *       a one-frame doorbell when the parent's reader sleeps, and all events as CRC-checked COBS
 *       frames of at most PIPE_BUF bytes ({@link Frames}) where there is no ring; bytes that other
 *       code writes straight to fd 1 pass through as the child's output and never break the
 *       channel. Every message carries an id, so one channel carries units, results, output and
 *       queue/event calls at once. The child's {@code System.out}/{@code err} travel as messages
 *       and are printed here line by line. The reply to the one request a child thread spins for
 *       goes to the ring's mailbox instead of the pipe ({@link ParentCalls}); the parent's reader
 *       waits a moment for the next record before it sleeps while a thread here waits on a queue
 *       ({@link Child}): a round trip then wakes no thread through a pipe.
 *   <li><b>Data.</b> {@link Codec}: a fast path for numbers, strings and arrays of them, Java
 *       serialization ({@link ObjectCodec}) for the rest; a map's function is serialized once per
 *       call, in the caller's thread, and sent once per child; items and results travel in chunks.
 *   <li><b>Pools.</b> {@link ProcessPool}: each child holds a few units at once, more when units
 *       are quick, but never while another child idles; an idle child takes back an unstarted unit
 *       from a busy one. Units a caller gave up on are taken back from the children too. A
 *       {@link PoolSlot} is one child with its dispatcher thread; its {@link FunctionCache} says
 *       which of the child's function slots holds which map's function.
 *   <li><b>Start.</b> Children after the first map a class-data-sharing archive the first one
 *       wrote ({@link CdsArchive}), so they are ready about as fast as an empty JVM. After the
 *       first {@code Worker.start()}, {@code multiproc.process.spares} children (default 1) wait
 *       started and warmed up, as Python's forkserver does: the next {@code start()} adopts one
 *       and another starts in the background once that worker has ended (or has run 100 ms: a
 *       JVM starting takes the cores a short worker needs). Spares are killed with the backend and, like every
 *       child, halt when this JVM ends.
 *   <li><b>Queues and events</b> live here, in the {@link Hub}; children hold proxies. Waiting
 *       calls from children wait on virtual threads (a get with no time limit: registered on the
 *       queue), never on a platform thread each; a child's puts on a bounded queue spend credits,
 *       slots reserved for it, and need no answer (see {@link Hub}). The hub lets
 *       a queue or event go once no handle to it is left: none reachable here, none in a live child
 *       ({@link ProxyRefs}), none put inside a queue item. Locks, semaphores, barriers, joinable
 *       queues, pipes, values and shared maps live here too ({@link HubSync}: the engine's objects,
 *       {@link ProcessSync} handles, {@link ChildSync} proxies), and children's waits on them wait
 *       on virtual threads; what a dead child held is released, the pipe ends it used are closed.
 *   <li><b>Failure.</b> End of a child's stdout means it is gone: its exit code is read, the units
 *       it held fail with {@link dev.multiproc.WorkerDiedException} (or run again, if the pool
 *       allows retries), what it took from queues without acknowledging goes back, and a pool
 *       starts a replacement (on a thread of its own: the reader does not wait for it). A child halts when its stdin ends, so no child outlives this JVM.
 *   <li><b>Threads.</b> Per child: a stdout reader and a stderr pump (platform threads), plus a
 *       dispatcher in a pool. {@link #close()} kills what is left and waits for all of them.
 * </ul>
 */
final class ProcessBackend implements Backend {

  private final ProcessSettings settings;
  private final ThreadMaker threads = ThreadMaker.platform();
  private final ThreadMaker waiters = ThreadMaker.virtual();
  private final Hub hub = new Hub(waiters);
  private final BackendLifecycle lifecycle = new BackendLifecycle(ProcessBackendProvider.NAME);
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition childGone = lock.newCondition();
  private final Set<Child> children = new HashSet<>();
  private final AtomicInteger workerNumbers = new AtomicInteger();

  // Spare children for Worker.start(): started in the background, adopted by the next worker.
  private final ReentrantLock spareLock = new ReentrantLock();
  private final ArrayDeque<Child> spares = new ArrayDeque<>(); // guarded by spareLock
  /** Rings of children that are gone, for the next ones ({@link #takeRing}); guarded by lock. */
  private final ArrayDeque<Ring> freeRings = new ArrayDeque<>();
  private boolean ringsClosed; // guarded by lock
  private boolean refilling; // guarded by spareLock
  private boolean sparesWanted; // guarded by spareLock: a worker has started, so spares are kept
  private final AtomicInteger spareNumbers = new AtomicInteger();
  private final Child.Handler spareHandler = new Child.Handler() {
    @Override
    public void message(Child child, int type, long id, Buf.In payload) {
      // nothing is sent to a spare, so nothing but its hello and output comes back
    }

    @Override
    public void exited(Child child, int exitCode, String outputTail) {
      spareLock.lock();
      try {
        spares.remove(child); // died unused (killed, or the backend closed); not replaced until one is taken
      } finally {
        spareLock.unlock();
      }
    }
  };

  // Children of a backend nobody closed still end with this JVM (their stdin closes), but closing
  // at exit kills them at once, and lets the JVM exit without waiting on the blocked readers.
  private final Thread exitHook = new Thread(this::close, "multiproc-process-exit");

  private final CdsArchive cds;

  ProcessBackend(ProcessSettings settings) {
    this.settings = settings;
    hub.sync.sharedMemory(settings.sharedMemory());
    this.cds = CdsArchive.of(settings, settings.cds(), settings.cdsDir());
    Runtime.getRuntime().addShutdownHook(exitHook);
  }

  @Override
  public String name() {
    return ProcessBackendProvider.NAME;
  }

  ProcessSettings settings() {
    return settings;
  }

  /**
   * The command for the next child; {@code trainer[0]} is set if that child is to write the CDS archive.
   *
   * @param spare whether the child is a spare: it never trains the archive, and warms itself up
   * @param ring the shared memory the child is to send its messages through, or null for none
   */
  List<String> command(CdsArchive.Trainer[] trainer, boolean spare, Ring ring) {
    List<String> extra = new ArrayList<>(cds == null ? List.of() : cds.options(trainer, !spare));
    if (spare) {
      extra.add("-D" + ProcessSettings.WARM_PROPERTY + "=true");
    }
    if (ring != null) {
      extra.add("-D" + Ring.PROPERTY + "=" + ring.path());
    }
    return settings.command(extra);
  }

  ThreadMaker threads() {
    return threads;
  }

  ThreadMaker waiters() {
    return waiters;
  }

  Hub hub() {
    return hub;
  }

  @Override
  public Pool newPool(PoolOptions options) {
    Objects.requireNonNull(options, "options");
    checkOpen();
    return lifecycle.poolOpened(new ProcessPool(this, options));
  }

  @Override
  public <T> Queue<T> newQueue(int maxSize) {
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize must be 0 (unbounded) or positive, got " + maxSize);
    }
    checkOpen();
    return hub.newQueue(maxSize);
  }

  @Override
  public Event newEvent() {
    checkOpen();
    return hub.newEvent();
  }

  @Override
  public Lock newLock() {
    checkOpen();
    return hub.sync.newLock(false);
  }

  @Override
  public Lock newRLock() {
    checkOpen();
    return hub.sync.newLock(true);
  }

  @Override
  public Semaphore newSemaphore(int permits) {
    checkOpen();
    return hub.sync.newSemaphore(permits, false);
  }

  @Override
  public Semaphore newBoundedSemaphore(int permits) {
    checkOpen();
    return hub.sync.newSemaphore(permits, true);
  }

  @Override
  public Barrier newBarrier(int parties) {
    checkOpen();
    return hub.sync.newBarrier(parties);
  }

  @Override
  public <T> JoinableQueue<T> newJoinableQueue(int maxSize) {
    checkOpen();
    return hub.sync.newJoinableQueue(maxSize);
  }

  @Override
  public <T> Pipe<T> newPipe() {
    checkOpen();
    return hub.sync.<T>newPipe().pipe;
  }

  @Override
  public Value newValue(long initial) {
    checkOpen();
    return hub.sync.newValue(initial);
  }

  @Override
  public <K, V> SharedMap<K, V> newSharedMap() {
    checkOpen();
    return hub.sync.newSharedMap();
  }

  @Override
  public Worker newWorker(Task task, WorkerOptions options) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(options, "options");
    checkOpen();
    String workerName = options.name().orElseGet(() -> "Worker-" + workerNumbers.incrementAndGet());
    return new ProcessWorker(this, task, workerName, options.daemon());
  }

  void checkOpen() {
    lifecycle.checkOpen();
  }

  /** A started spare child, adopted by a worker, or null if there is none (see {@link #refillSpares}). */
  Child takeSpare(String name, boolean daemon, Child.Handler user) {
    while (settings.spares() > 0) {
      Child c;
      spareLock.lock();
      try {
        c = spares.pollFirst();
      } finally {
        spareLock.unlock();
      }
      if (c == null || c.adopt(name, daemon, user)) {
        return c;
      }
    }
    return null;
  }

  /**
   * Starts spares in the background, one after another, until there are {@code
   * multiproc.process.spares}: once {@code worker}, the child that just took a spare or was
   * started cold, has ended, or after {@link #SPARE_DEFERRAL} if it runs longer (null: at once). A JVM starting
   * takes both cores of a 2-core machine for a hundred milliseconds or more; started beside a short
   * worker, it slowed that worker's {@code start()} + {@code join()} from 15-17 to 25-30 ms
   * (benchmarks/RESULTS.md).
   */
  void refillSpares(Child worker) {
    spareLock.lock();
    try {
      sparesWanted = true;
      if (refilling || spares.size() >= settings.spares() || lifecycle.isClosed()) {
        return;
      }
      refilling = true;
    } finally {
      spareLock.unlock();
    }
    try {
      threads.newPlatformThread("multiproc-spare-starter", true, () -> {
        if (worker != null) {
          worker.awaitGone(SPARE_DEFERRAL);
        }
        fillSpares();
      }).start();
    } catch (RuntimeException | Error e) {
      spareLock.lock();
      try {
        refilling = false;
      } finally {
        spareLock.unlock();
      }
      throw e;
    }
  }

  /**
   * A child finished writing the CDS archive: spares held back while it trained start now. (A
   * spare started during training would go without the archive, and never train one itself.)
   */
  void archiveTrained() {
    boolean wanted;
    spareLock.lock();
    try {
      wanted = sparesWanted;
    } finally {
      spareLock.unlock();
    }
    if (wanted) {
      refillSpares(null);
    }
  }

  /** How long a spare's start waits for the worker that took the last one (or started cold) to end. */
  static final Duration SPARE_DEFERRAL = Duration.ofMillis(100);

  /** Starts spares one after another until there are enough, or the backend closes, or a child trains the archive. */
  private void fillSpares() {
    boolean stopped = false;
    try {
      while (true) {
        spareLock.lock();
        try {
          // decided and released under spareLock: an archiveTrained() after this starts a new filler
          if (spares.size() >= settings.spares() || lifecycle.isClosed() || cds != null && cds.isTraining()) {
            refilling = false;
            stopped = true;
            return;
          }
        } finally {
          spareLock.unlock();
        }
        Child c;
        try {
          c = Child.startSpare(this, "spare-" + spareNumbers.incrementAndGet(), spareHandler);
        } catch (RuntimeException e) {
          return; // a worker that starts its own child reports why children cannot start
        }
        spareLock.lock();
        try {
          // One whose end is reported already was "removed" before it was added
          // (spareHandler.exited): not a spare, and no more are started now (a worker that starts
          // its own child reports why they die). Its end reported later, it is removed then:
          // the handler takes spareLock after the report began.
          if (c.endReported()) {
            return;
          }
          spares.addLast(c);
        } finally {
          spareLock.unlock();
        }
      }
    } finally {
      if (!stopped) {
        spareLock.lock();
        try {
          refilling = false;
        } finally {
          spareLock.unlock();
        }
      }
    }
  }

  /** Spare children now, started or starting (for tests). */
  int spareCount() {
    spareLock.lock();
    try {
      return spares.size();
    } finally {
      spareLock.unlock();
    }
  }

  /** Requests of children that wait in the hub now (for tests). */
  int waitingRequests() {
    lock.lock();
    try {
      return children.stream().mapToInt(c -> c.peer.waiting()).sum();
    } finally {
      lock.unlock();
    }
  }

  /** Children started and not yet gone (for tests). */
  int childCount() {
    lock.lock();
    try {
      return children.size();
    } finally {
      lock.unlock();
    }
  }

  void childStarted(Child c) {
    lock.lock();
    try {
      children.add(c);
    } finally {
      lock.unlock();
    }
    if (lifecycle.isClosed()) {
      c.kill();
    }
  }

  /**
   * A ring for the next child ({@link Ring}): one a child that is gone used, or a new one; null
   * without shared memory.
   */
  Ring takeRing() {
    if (!settings.sharedMemory()) {
      return null;
    }
    lock.lock();
    try {
      Ring r = freeRings.pollFirst();
      if (r != null) {
        return r;
      }
    } finally {
      lock.unlock();
    }
    return Ring.create();
  }

  /** A child that used {@code ring} is gone (or never started): the ring serves the next, or is deleted once closed. */
  void giveBackRing(Ring ring) {
    if (ring == null) {
      return;
    }
    lock.lock();
    try {
      if (!ringsClosed) {
        ring.reset();
        freeRings.addLast(ring);
        return;
      }
    } finally {
      lock.unlock();
    }
    ring.deleteFile();
  }

  void childGone(Child c) {
    lock.lock();
    try {
      children.remove(c);
      childGone.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void workerStarted(ProcessWorker w, Child c) {
    try {
      lifecycle.workerStarted(w, () -> {});
    } catch (IllegalStateException closed) {
      c.kill();
      throw closed;
    }
  }

  void workerEnded(ProcessWorker w) {
    lifecycle.workerEnded(w);
  }

  void poolEnded(ProcessPool p) {
    lifecycle.poolEnded(p);
  }

  /**
   * Terminates every pool, kills every child, and waits (at most the shutdown timeout) until
   * every child has exited and every thread of this backend has ended.
   */
  @Override
  public void close() {
    boolean first = lifecycle.close(); // terminates the pools, kills the workers' children
    if (!first && noChildren()) {
      return;
    }
    if (first && Thread.currentThread() != exitHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(exitHook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook runs (or ran) anyway
      }
    }
    List<Child> live;
    lock.lock();
    try {
      live = new ArrayList<>(children);
    } finally {
      lock.unlock();
    }
    for (Child c : live) {
      c.kill();
    }
    long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
    boolean interrupted = false;
    lock.lock();
    try {
      while (!children.isEmpty() && System.nanoTime() < deadline) {
        try {
          childGone.awaitNanos(deadline - System.nanoTime());
        } catch (InterruptedException e) {
          interrupted = true;
          break;
        }
      }
    } finally {
      lock.unlock();
    }
    hub.close();
    List<Ring> rings;
    lock.lock();
    try {
      ringsClosed = true; // a child still going gives its ring back to be deleted
      rings = new ArrayList<>(freeRings);
      freeRings.clear();
    } finally {
      lock.unlock();
    }
    rings.forEach(Ring::deleteFile);
    if (!interrupted) {
      lifecycle.awaitUntil(() -> threads.liveThreads() + waiters.liveThreads() == 0,
          Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    } else {
      Thread.currentThread().interrupt();
    }
  }

  private boolean noChildren() {
    lock.lock();
    try {
      return children.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "ProcessBackend{" + (lifecycle.isClosed() ? "closed" : "open") + "}";
  }
}
