package dev.multiproc.process;

import dev.multiproc.PoolOptions;
import dev.multiproc.TaskCallable;
import dev.multiproc.TaskFunction;
import dev.multiproc.WorkerDiedException;
import dev.multiproc.engine.AbstractPool;
import dev.multiproc.engine.WorkUnit;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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

  /** The most units in flight per child. */
  static final int MAX_DEPTH = 16;

  private static final int START_ATTEMPTS = 3;

  private final ProcessBackend backend;
  private final byte[] initializer;
  private final int maxDepth;
  /** Mean time a unit runs in a child, in nanoseconds (a moving average; racy updates are fine). */
  private volatile double meanUnitNanos = -1;
  private final AtomicLong unitIds = new AtomicLong();
  private final AtomicInteger startupDeaths = new AtomicInteger();
  private final ReentrantLock lock = new ReentrantLock();
  private final Set<Slot> slots = new HashSet<>();
  private boolean stopping;
  private int started;

  ProcessPool(ProcessBackend backend, PoolOptions options) {
    super(options, backend.threads());
    this.backend = backend;
    this.initializer = Codec.encodeValue(options.initializer().orElse(null), "initializer");
    this.maxDepth = options.taskTimeout().isPresent() ? 1 : MAX_DEPTH;
    List<Slot> first = new ArrayList<>();
    try {
      for (int i = 0; i < options.workers(); i++) {
        first.add(launch());
      }
      for (Slot s : first) {
        s.child.awaitReady(backend.settings().startTimeout());
      }
    } catch (RuntimeException e) {
      lock.lock();
      try {
        stopping = true;
      } finally {
        lock.unlock();
      }
      for (Slot s : first) {
        s.child.kill();
      }
      for (Slot s : first) {
        s.child.awaitGone(Duration.ofSeconds(5));
      }
      throw e;
    }
    for (Slot s : first) {
      s.startDispatcher();
    }
  }

  /** Launches a child for a new slot and queues its initializer; does not wait for it. */
  private Slot launch() {
    String name;
    lock.lock();
    try {
      name = options.name() + "-" + (++started);
    } finally {
      lock.unlock();
    }
    Slot s = new Slot(name);
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

  /** Starts a slot to replace one that ended, unless the pool is stopping; retries a few times. */
  private void replace() {
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
      Slot s = null;
      try {
        s = launch();
        if (s == null) {
          return;
        }
        s.child.awaitReady(backend.settings().startTimeout());
        s.startDispatcher();
        return;
      } catch (RuntimeException e) {
        last = e;
        if (s != null) {
          s.child.kill();
        }
      }
    }
    breakPool("cannot start a replacement worker, so the pool cannot run tasks: " + last.getMessage(), last);
  }

  @Override
  protected Object prepareFunction(TaskFunction<?, ?> fn) {
    return Buf.wrap(Codec.encodeValue(fn, "function"));
  }

  @Override
  protected Object prepareItems(Object[] items, long firstIndex) {
    Buf b = new Buf(16 + items.length * 5);
    Codec.writeArray(items, "item", firstIndex, b);
    return b;
  }

  @Override
  protected Object prepareCall(TaskCallable<?> task) {
    return Buf.wrap(Codec.encodeValue(task, "task"));
  }

  @Override
  protected void timedOut(WorkUnit unit) {
    for (Slot s : snapshot()) {
      if (s.holds(unit)) {
        s.child.kill();
        return;
      }
    }
  }

  @Override
  protected void stopExecutors(boolean force) {
    List<Slot> all;
    lock.lock();
    try {
      stopping = true;
      all = new ArrayList<>(slots);
    } finally {
      lock.unlock();
    }
    for (Slot s : all) {
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
      for (Slot s : all) {
        if (!s.child.awaitGone(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
          s.child.kill();
        }
      }
    }
    backend.poolEnded(this);
  }

  @Override
  protected void unitsAbandoned() {
    for (Slot s : snapshot()) {
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

  private void ran(long nanos) {
    double per = (double) nanos;
    double mean = meanUnitNanos;
    meanUnitNanos = mean < 0 ? per : mean * 0.9 + per * 0.1;
  }

  /** True if a slot other than {@code self} is up and idle. */
  private boolean otherSlotIdle(Slot self) {
    lock.lock();
    try {
      for (Slot s : slots) {
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
  private void stealFor(Slot idle) {
    if (queued() > 0) {
      return;
    }
    Slot busiest = null;
    for (Slot s : snapshot()) {
      if (s != idle && s.inFlightCount >= 2 && (busiest == null || s.inFlightCount > busiest.inFlightCount)) {
        busiest = s;
      }
    }
    if (busiest != null) {
      busiest.cancelNewest();
    }
  }

  private List<Slot> snapshot() {
    lock.lock();
    try {
      return new ArrayList<>(slots);
    } finally {
      lock.unlock();
    }
  }

  /** One worker: a child JVM, its dispatcher, and the units it has in flight. */
  private final class Slot implements Child.Handler {
    final String name;
    volatile Child child;
    volatile Thread dispatcher;
    private final Semaphore permits = new Semaphore(maxDepth);
    private final ReentrantLock slotLock = new ReentrantLock();
    private final Map<Long, WorkUnit> inFlight = new LinkedHashMap<>(); // in dispatch order
    private final Set<Long> cancelling = new HashSet<>();
    private final java.util.concurrent.locks.Condition answered = slotLock.newCondition();
    private volatile int inFlightCount;
    private final long[] cachedJobs = new long[ChildChannel.FUNCTION_SLOTS];
    private final long[] lastUse = new long[ChildChannel.FUNCTION_SLOTS];
    private long clock;
    private int dispatched;
    private boolean dead;
    private volatile boolean initialized;
    private volatile boolean retired;

    Slot(String name) {
      this.name = name;
    }

    void startDispatcher() {
      dispatcher = backend.threads().newPlatformThread("multiproc-" + name + "-dispatch", true, this::dispatch);
      dispatcher.start();
    }

    boolean holds(WorkUnit unit) {
      slotLock.lock();
      try {
        return inFlight.containsValue(unit);
      } finally {
        slotLock.unlock();
      }
    }

    /**
     * Sends units to the child. A child that is busy gets more (up to the pipeline depth) only
     * while no other child is idle, so work never waits behind a long task while a worker idles;
     * and a child that turns idle with the queue empty takes back an unstarted unit from the
     * busiest child ({@link #stealFor}).
     */
    private void dispatch() {
      int max = options.maxTasksPerWorker();
      Child.Batch batch = new Child.Batch();
      try {
        while (true) {
          permits.acquire();
          if (max > 0 && dispatched >= max) {
            permits.acquire(maxDepth - 1); // wait until the child has answered everything
            retired = true;
            replace();
            child.closeInput();
            return;
          }
          if (inFlightCount > 0 && (inFlightCount >= depth() || otherSlotIdle(this))) {
            permits.release();
            awaitAnswer();
            continue;
          }
          WorkUnit u = take();
          if (u == null) {
            if (inFlightCount == 0 || isTerminated() || isBroken()) {
              return;
            }
            // Closing, but units are still out: one may come back (a steal), so stay until they are done.
            permits.release();
            awaitAnswer();
            continue;
          }
          if (inFlightCount > 0 && otherSlotIdle(this)) {
            giveBack(u);
            permits.release();
            awaitAnswer();
            continue;
          }
          // Send what else is queued and fits the window in the same write.
          batch.clear();
          while (u != null) {
            if (!add(u, batch)) {
              return;
            }
            if (batch.bytes >= (1 << 16) || (max > 0 && dispatched >= max) || inFlightCount >= depth()
                || otherSlotIdle(this) || !permits.tryAcquire()) {
              break;
            }
            u = poll();
            if (u == null) {
              permits.release();
            }
          }
          if (!batch.isEmpty()) {
            try {
              child.sendBatch(batch);
            } catch (IOException e) {
              return; // the child is gone; exited() deals with what it held
            }
          }
        }
      } catch (InterruptedException e) {
        // the pool stops, or the child died
      }
    }

    /** Waits (briefly) for the child to answer a unit. */
    private void awaitAnswer() throws InterruptedException {
      slotLock.lock();
      try {
        answered.await(20, TimeUnit.MILLISECONDS);
      } finally {
        slotLock.unlock();
      }
    }

    /** True if the child is up and has nothing to do. */
    boolean isIdle() {
      Thread d = dispatcher;
      return inFlightCount == 0 && d != null && d.isAlive() && !dead && !retired;
    }

    /** Asks the child to give back the units it has not started whose job abandoned them. */
    void cancelAbandoned() {
      List<Long> ids = new ArrayList<>();
      slotLock.lock();
      try {
        boolean first = true;
        for (Map.Entry<Long, WorkUnit> e : inFlight.entrySet()) {
          if (!first && e.getValue().isAbandoned() && cancelling.add(e.getKey())) {
            ids.add(e.getKey());
          }
          first = false; // the oldest may be running: it finishes
        }
      } finally {
        slotLock.unlock();
      }
      for (long id : ids) {
        child.trySend(Msg.CANCEL_UNIT, id, null);
      }
    }

    /** Asks the child to give back its newest unit if it has not started it; true if asked. */
    boolean cancelNewest() {
      long id = -1;
      slotLock.lock();
      try {
        if (dead || inFlight.size() < 2) {
          return false;
        }
        for (Map.Entry<Long, WorkUnit> e : inFlight.entrySet()) {
          id = e.getKey();
        }
        if (!cancelling.add(id)) {
          return false;
        }
      } finally {
        slotLock.unlock();
      }
      return child.trySend(Msg.CANCEL_UNIT, id, null);
    }

    /** Records a unit as in flight and appends its messages to the batch; false if the child is gone. */
    private boolean add(WorkUnit u, Child.Batch batch) {
      long id = unitIds.incrementAndGet();
      slotLock.lock();
      try {
        if (dead) {
          giveBack(u);
          return false;
        }
        if (u.isAbandoned()) { // its job gave up after take(): cancelAbandoned() could not see it
          permits.release();
          u.skip();
          return true;
        }
        inFlight.put(id, u);
        inFlightCount = inFlight.size();
      } finally {
        slotLock.unlock();
      }
      dispatched++;
      if (u.isCall()) {
        batch.add(Msg.CALL, id, -1, (Buf) u.attachment());
        return true;
      }
      int slot = functionSlot(u.jobId());
      if (slot < 0) {
        slot = -slot - 1;
        batch.add(Msg.FUNCTION, slot, -1, (Buf) u.jobAttachment());
      }
      batch.add(Msg.CHUNK, id, slot, (Buf) u.attachment());
      return true;
    }

    /** The child's slot holding the job's function: >= 0 if cached, else -(slot to fill) - 1. */
    private int functionSlot(long job) {
      int victim = 0;
      clock++;
      for (int i = 0; i < cachedJobs.length; i++) {
        if (cachedJobs[i] == job) {
          lastUse[i] = clock;
          return i;
        }
        if (lastUse[i] < lastUse[victim]) {
          victim = i;
        }
      }
      cachedJobs[victim] = job;
      lastUse[victim] = clock;
      return -victim - 1;
    }

    /** The unit the child answered (or gave back); wakes the dispatcher and lets an idle child steal. */
    private WorkUnit remove(long id) {
      WorkUnit u;
      slotLock.lock();
      try {
        u = inFlight.remove(id);
        cancelling.remove(id);
        inFlightCount = inFlight.size();
        answered.signalAll();
      } finally {
        slotLock.unlock();
      }
      if (u != null && inFlightCount == 0) {
        stealFor(this);
      }
      return u;
    }

    @Override
    public void message(Child c, int type, long id, Buf.In m) {
      switch (type) {
        case Msg.RESULTS -> {
          WorkUnit u = remove(id);
          long nanos = m.readVarLong();
          if (u == null) {
            return;
          }
          ran(nanos);
          try {
            results(u, m);
          } finally {
            permits.release();
          }
        }
        case Msg.CALL_RESULT -> {
          WorkUnit u = remove(id);
          long nanos = m.readVarLong();
          if (u == null) {
            return;
          }
          ran(nanos);
          Object value = null;
          Throwable failure = null;
          try {
            if (m.readByte() == 1) {
              value = Codec.readValue(m);
            } else {
              failure = Codec.readFailure(m);
            }
          } catch (RuntimeException e) {
            failure = unreadable("task's result", e);
          }
          Object v = value;
          Throwable f = failure;
          // Not on this reader thread: completing a future runs the caller's dependent stages.
          backend.waiters().newThread("multiproc-complete", true, () -> u.completeCall(v, f)).start();
          permits.release();
        }
        case Msg.UNIT_CANCELLED -> {
          WorkUnit u;
          slotLock.lock();
          try {
            u = inFlight.get(id);
          } finally {
            slotLock.unlock();
          }
          if (u != null) {
            // Back in the queue before it leaves this slot's count: while a slot has units out, its
            // dispatcher stays, so a unit given back is never left without one (during close()).
            if (u.isAbandoned()) {
              u.skip();
            } else {
              giveBack(u);
            }
            remove(id);
            permits.release();
          }
        }
        case Msg.INIT_OK -> {
          initialized = true;
          startupDeaths.set(0);
        }
        case Msg.INIT_FAILED -> initializerFailed(name, Codec.readFailure(m));
        default -> throw new IllegalStateException("unexpected message " + type + " from " + c);
      }
    }

    /**
     * Delivers the outcome of a chunk. Results that cannot be read here fail the chunk's items
     * with a {@link dev.multiproc.NotShippableException} naming the class; the child and the pool
     * carry on (a message is self-contained: what follows it on the channel is unaffected).
     */
    private void results(WorkUnit u, Buf.In m) {
      Object column;
      int failed;
      Throwable[] failures = null;
      try {
        if (m.readByte() == Msg.RESULTS_UNIT_FAILED) {
          u.fail(Codec.readFailure(m));
          return;
        }
        column = Codec.readColumn(m);
        failed = (int) m.readVarLong();
        if (failed > 0) {
          failures = new Throwable[((Object[]) column).length]; // items that failed have no result: never a primitive array
          for (int i = 0; i < failed; i++) {
            int index = (int) m.readVarLong();
            failures[index] = Codec.readFailure(m);
          }
        }
      } catch (RuntimeException e) {
        String what = u.size() == 1 ? "result of item " + u.firstIndex()
            : "results of items " + u.firstIndex() + ".." + (u.firstIndex() + u.size() - 1);
        u.fail(unreadable(what, e));
        return;
      }
      if (failures == null) {
        u.completeColumn(column);
      } else {
        u.complete((Object[]) column, failures);
      }
    }

    /** The failure for a value from the child that cannot be read here. */
    private RuntimeException unreadable(String what, RuntimeException e) {
      if (e instanceof Codec.ShippingException s) {
        return Codec.unreadable(what, "in the parent", s);
      }
      return new dev.multiproc.MultiprocException("cannot read the " + what + " that worker " + name + " sent: " + e, e);
    }

    /**
     * The child is gone. It ran its units one at a time in the order they were sent, so the first
     * unit in flight is the one it died running; the others never started and go back to the
     * queue. A child that dies before its initializer finished ran none of them.
     */
    @Override
    public void exited(Child c, int exitCode, String outputTail) {
      List<WorkUnit> lost;
      slotLock.lock();
      try {
        dead = true;
        lost = new ArrayList<>(inFlight.values());
        inFlight.clear();
        inFlightCount = 0;
        answered.signalAll();
      } finally {
        slotLock.unlock();
      }
      Thread d = dispatcher;
      if (d != null) {
        d.interrupt();
      }
      lock.lock();
      try {
        slots.remove(this);
      } finally {
        lock.unlock();
      }
      for (int i = 0; i < lost.size(); i++) {
        if (i == 0 && initialized) {
          lost.get(0).workerDied(death(c, exitCode, outputTail, lost.get(0)));
        } else {
          giveBack(lost.get(i));
        }
      }
      if (retired || d == null) {
        return; // a slot that never got going is retried by whoever started it
      }
      if (!initialized && startupDeaths.incrementAndGet() >= START_ATTEMPTS) {
        breakPool("worker " + name + " (pid " + c.pid() + ") died with exit code " + exitCode
            + " before its initializer finished, " + START_ATTEMPTS + " times in a row, so the pool cannot run tasks"
            + lastLines(outputTail), null);
        return;
      }
      replace();
    }

    private WorkerDiedException death(Child c, int exitCode, String outputTail, WorkUnit u) {
      String what = u.isCall() ? "a submitted task" : u.size() == 1 ? "item " + u.firstIndex()
          : "items " + u.firstIndex() + ".." + (u.firstIndex() + u.size() - 1);
      String message = "worker " + name + " (pid " + c.pid() + ") died with exit code " + exitCode
          + " while running " + what + lastLines(outputTail);
      return new WorkerDiedException(message, exitCode, u.isCall() ? -1 : u.firstIndex(), null);
    }
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
