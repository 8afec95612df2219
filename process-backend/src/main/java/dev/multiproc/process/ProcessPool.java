package dev.multiproc.process;

import dev.multiproc.PoolOptions;
import dev.multiproc.TaskCallable;
import dev.multiproc.TaskFunction;
import dev.multiproc.engine.AbstractPool;
import dev.multiproc.engine.Events;
import dev.multiproc.engine.WorkUnit;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool whose workers are child JVMs. Each child has a dispatcher thread that takes units from
 * the shared queue and writes them to the child's stdin, keeping several units in flight so the
 * child never waits for the parent; results come back on the child's reader thread. How many
 * depends on how long units take ({@link #depth()}): up to {@link #MAX_DEPTH} for tiny units, where
 * the pipe's round trip would dominate, down to 2 for units of a millisecond or more, so that a
 * long unit holds back little work.
 * A map's function is serialized once per call (in the caller's thread) and sent once per child,
 * into one of the child's function slots; chunks then name the slot.
 */
final class ProcessPool extends AbstractPool {

  /**
   * The most units in flight per child ({@link #depth()} keeps it to about 200 microseconds of
   * work). Chunks of one item run in about a microsecond: 16 in flight left a child waiting for
   * the next write between windows, and a write per 8 units; 128 gives chunk size 1 twice to four
   * times the rate on 2 cores (102-140 k -> 408-549 k items/s, 256 no better; RESULTS.md).
   */
  static final int MAX_DEPTH = 128;

  static final int START_ATTEMPTS = 3;

  private final ProcessBackend backend;
  private final byte[] initializer;
  private final int maxDepth;
  /** Mean time a unit runs in a child, in nanoseconds (a moving average; racy updates are fine). */
  private volatile double meanUnitNanos = -1;
  final AtomicLong unitIds = new AtomicLong();
  final AtomicInteger startupDeaths = new AtomicInteger();
  private final ReentrantLock lock = new ReentrantLock();
  private final Set<PoolSlot> slots = new HashSet<>();
  private boolean stopping;
  private int started;

  ProcessPool(ProcessBackend backend, PoolOptions options) {
    super(options, backend.threads());
    this.backend = backend;
    this.initializer = Codec.encodeValue(options.initializer().orElse(null), "initializer");
    this.maxDepth = options.taskTimeout().isPresent() ? 1 : MAX_DEPTH;
    List<PoolSlot> first = new ArrayList<>();
    try {
      for (int i = 0; i < options.workers(); i++) {
        first.add(launch());
      }
      for (PoolSlot s : first) {
        s.child.awaitReady(backend.settings().startTimeout());
      }
    } catch (RuntimeException e) {
      lock.lock();
      try {
        stopping = true;
      } finally {
        lock.unlock();
      }
      for (PoolSlot s : first) {
        s.child.kill();
      }
      for (PoolSlot s : first) {
        s.child.awaitGone(Duration.ofSeconds(5));
      }
      throw e;
    }
    for (PoolSlot s : first) {
      s.startDispatcher();
    }
  }

  /** Launches a child for a new slot and queues its initializer; does not wait for it. */
  private PoolSlot launch() {
    String name;
    lock.lock();
    try {
      name = options.name() + "-" + (++started);
    } finally {
      lock.unlock();
    }
    PoolSlot s = new PoolSlot(this, backend, maxDepth, name);
    s.child = Child.start(backend, name, true, s);
    lock.lock();
    try {
      if (stopping) {
        s.retired = true;
        s.child.kill();
        return null;
      }
      slots.add(s);
    } finally {
      lock.unlock();
    }
    try {
      s.child.send(Msg.POOL_INIT, 0, Buf.wrap(initializer));
    } catch (IOException e) {
      // it died at once; awaitReady reports why
    }
    return s;
  }

  /**
   * Starts a slot to replace one that ended, unless the pool is stopping; retries a few times.
   * Records a {@link Events.ChildReplace} JFR event.
   *
   * @param replaced the name of the worker replaced
   * @param reason why, for the event: {@code died (exit code N)}, {@code retired (maxTasksPerWorker)}
   */
  void replace(String replaced, String reason) {
    Events.ChildReplace event = Events.recording() ? new Events.ChildReplace() : null;
    if (event != null) {
      event.begin();
      event.pool = options.name();
      event.replaced = replaced;
      event.reason = reason;
    }
    RuntimeException last = null;
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      lock.lock();
      try {
        if (stopping || isTerminated() || isBroken()) {
          return;
        }
      } finally {
        lock.unlock();
      }
      PoolSlot s = null;
      try {
        s = launch();
        if (s == null) {
          return;
        }
        s.child.awaitReady(backend.settings().startTimeout());
        if (event != null && event.shouldCommit()) { // before the dispatcher: recorded before the replacement runs anything
          event.worker = s.name;
          event.pid = s.child.pid();
          event.ready = true;
          event.commit();
        }
        s.startDispatcher();
        return;
      } catch (RuntimeException e) {
        last = e;
        if (s != null) {
          s.child.kill();
        }
      }
    }
    if (event != null) {
      event.commit();
    }
    breakPool("cannot start a replacement worker, so the pool cannot run tasks: " + last.getMessage(), last);
  }

  @Override
  protected Object prepareFunction(TaskFunction<?, ?> fn) {
    return Buf.wrap(Codec.encodeValue(fn, "function"));
  }

  @Override
  protected Object prepareItems(Object[] items, int offset, int count, long firstIndex) {
    Buf b = Buf.reuse(spareChunks.take(16 + count * 5));
    Codec.writeArray(items, offset, count, "item", firstIndex, b);
    return b;
  }

  /**
   * A chunk's encoded items were answered: their array encodes a later chunk. Memory a JVM has
   * not touched yet costs a page fault per 4 KiB, and until its first collection every new array
   * is such memory; a map reusing the arrays of the map before costs the caller's JVM less.
   */
  void recycle(WorkUnit u) {
    if (!u.isCall() && u.attachment() instanceof Buf b) {
      spareChunks.giveBack(b.bytes);
    }
  }

  /** Encoded chunks' arrays kept for reuse ({@link #recycle}): at most 64, of at most a MiB each. */
  private final SpareArrays spareChunks = new SpareArrays(64, 0, 1 << 20);

  @Override
  protected Object prepareCall(TaskCallable<?> task) {
    return Buf.wrap(Codec.encodeValue(task, "task"));
  }

  @Override
  protected void timedOut(WorkUnit unit) {
    for (PoolSlot s : snapshot()) {
      if (s.holds(unit)) {
        s.killedForTimeout = true;
        s.child.kill();
        return;
      }
    }
  }

  @Override
  protected void stopExecutors(boolean force) {
    List<PoolSlot> all;
    lock.lock();
    try {
      stopping = true;
      all = new ArrayList<>(slots);
    } finally {
      lock.unlock();
    }
    for (PoolSlot s : all) {
      if (force) {
        s.child.kill();
      } else {
        s.child.closeInput();
      }
      if (s.dispatcher != null) {
        s.dispatcher.interrupt();
      }
    }
    if (!force) {
      long deadline = System.nanoTime() + backend.settings().shutdownTimeout().toNanos();
      for (PoolSlot s : all) {
        if (!s.child.awaitGone(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
          ProcessLog.LOG.log(System.Logger.Level.WARNING, () -> "pool " + options.name() + ": worker " + s.name + " (pid "
              + s.child.pid() + ") had not exited " + backend.settings().shutdownTimeout()
              + " after the pool closed (multiproc.process.shutdown-timeout); killing it.");
          s.child.kill();
        }
      }
    }
    backend.poolEnded(this);
  }

  @Override
  protected void unitsAbandoned() {
    for (PoolSlot s : snapshot()) {
      s.cancelAbandoned();
    }
  }

  /**
   * How many units a child may hold: enough to cover the pipe's round trip (about 100
   * microseconds) when units are quick, 2 once they take a millisecond or more, 2 before anything
   * is known; 1 with a task timeout, whose clock starts when a unit is sent.
   */
  int depth() {
    double mean = meanUnitNanos;
    if (maxDepth == 1) {
      return 1;
    }
    if (mean < 0 || mean >= 1_000_000) {
      return 2;
    }
    return (int) Math.max(2, Math.min(maxDepth, 200_000 / Math.max(1, mean)));
  }

  void ran(long nanos) {
    double per = (double) nanos;
    double mean = meanUnitNanos;
    meanUnitNanos = mean < 0 ? per : mean * 0.9 + per * 0.1;
  }

  /** True if a slot other than {@code self} is up and idle. */
  boolean otherSlotIdle(PoolSlot self) {
    lock.lock();
    try {
      for (PoolSlot s : slots) {
        if (s != self && s.isIdle()) {
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** {@code idle} has nothing to do and the queue is empty: take back an unstarted unit from the busiest child. */
  void stealFor(PoolSlot idle) {
    if (queued() > 0) {
      return;
    }
    PoolSlot busiest = null;
    for (PoolSlot s : snapshot()) {
      if (s != idle && s.inFlightCount >= 2 && (busiest == null || s.inFlightCount > busiest.inFlightCount)) {
        busiest = s;
      }
    }
    if (busiest != null) {
      busiest.cancelNewest();
    }
  }

  /** The slot's child is gone. */
  void removeSlot(PoolSlot s) {
    lock.lock();
    try {
      slots.remove(s);
    } finally {
      lock.unlock();
    }
  }

  private List<PoolSlot> snapshot() {
    lock.lock();
    try {
      return new ArrayList<>(slots);
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ for PoolSlot: the engine's protected operations

  PoolOptions options() {
    return options;
  }

  WorkUnit takeUnit() throws InterruptedException {
    return take();
  }

  WorkUnit pollUnit() {
    return poll();
  }

  void giveBackUnit(WorkUnit unit) {
    giveBack(unit);
  }

  boolean isStopped() {
    return isTerminated() || isBroken();
  }

  /** @return true once {@code close}, {@code terminate} or a break ended the pool's intake */
  boolean isEnding() {
    return isShutdown() || isBroken();
  }

  void workerInitFailed(String workerName, Throwable cause) {
    initializerFailed(workerName, cause);
  }

  void broken(String message, Throwable cause) {
    breakPool(message, cause);
  }

  /** The last two non-blank lines a child printed outside the channel, as a note for a message. */
  static String lastLines(String outputTail) {
    String[] lines = outputTail.strip().split("\\R");
    StringBuilder b = new StringBuilder();
    for (int i = Math.max(0, lines.length - 2); i < lines.length; i++) {
      if (!lines[i].isBlank()) {
        b.append(b.length() == 0 ? "; its last output: " : " | ").append(lines[i].strip());
      }
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return "ProcessPool{" + options.name() + ", workers=" + options.workers() + "}";
  }
}
