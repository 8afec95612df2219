package dev.multiproc.process;

import dev.multiproc.WorkerDiedException;
import dev.multiproc.engine.Events;
import dev.multiproc.engine.WorkUnit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One worker of a {@link ProcessPool}: a child JVM, its dispatcher, and the units it has in flight.
 * The dispatcher thread sends units to the child; the child's reader thread delivers its answers
 * ({@link #message}) and its end ({@link #exited}).
 */
final class PoolSlot implements Child.Handler {

  private final ProcessPool pool;
  private final ProcessBackend backend;
  private final int maxDepth;
  final String name;
  volatile Child child;
  volatile Thread dispatcher;
  private final Semaphore permits;
  private final ReentrantLock slotLock = new ReentrantLock();
  private final Map<Long, WorkUnit> inFlight = new LinkedHashMap<>(); // in dispatch order
  /** The JFR chunk events of units in flight, from dispatch to answer; empty unless the Flight Recorder runs. */
  private final Map<Long, Events.Chunk> chunkEvents = new java.util.HashMap<>(); // guarded by slotLock
  private final Set<Long> cancelling = new HashSet<>();
  private final java.util.concurrent.locks.Condition answered = slotLock.newCondition();
  /** While the dispatcher waits for answers: how few units in flight wake it (guarded by slotLock); -1 otherwise. */
  private int wakeAt = -1;
  volatile int inFlightCount;
  private final FunctionCache functions = new FunctionCache(); // dispatcher thread only
  private int dispatched;
  private boolean dead;
  private volatile boolean initialized;
  volatile boolean retired;
  /** The pool killed this child because a unit ran past the task timeout (that unit already failed). */
  volatile boolean killedForTimeout;

  PoolSlot(ProcessPool pool, ProcessBackend backend, int maxDepth, String name) {
    this.pool = pool;
    this.backend = backend;
    this.maxDepth = maxDepth;
    this.name = name;
    this.permits = new Semaphore(maxDepth);
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
   * busiest child ({@link ProcessPool#stealFor}).
   */
  private void dispatch() {
    int max = pool.options().maxTasksPerWorker();
    Child.Batch batch = new Child.Batch();
    try {
      while (true) {
        permits.acquire();
        if (max > 0 && dispatched >= max) {
          permits.acquire(maxDepth - 1); // wait until the child has answered everything
          retired = true;
          pool.replace(name, "retired (maxTasksPerWorker)");
          child.closeInput();
          return;
        }
        if (inFlightCount > 0 && (inFlightCount >= pool.depth() || pool.otherSlotIdle(this))) {
          permits.release();
          // A full window of tiny units is topped up once half of it is answered, in one write,
          // rather than a unit per answer: fewer wake-ups here and fewer reads in the child.
          int depth = pool.depth();
          awaitAnswer(inFlightCount >= depth && depth >= 4 ? depth / 2 : inFlightCount - 1);
          continue;
        }
        WorkUnit u = pool.takeUnit();
        if (u == null) {
          if (inFlightCount == 0 || pool.isStopped()) {
            return;
          }
          // Closing, but units are still out: one may come back (a steal), so stay until they are done.
          permits.release();
          awaitAnswer(inFlightCount - 1);
          continue;
        }
        if (inFlightCount > 0 && pool.otherSlotIdle(this)) {
          pool.giveBackUnit(u);
          permits.release();
          awaitAnswer(inFlightCount - 1);
          continue;
        }
        // Send what else is queued and fits the window in the same write.
        batch.clear();
        while (u != null) {
          if (!add(u, batch)) {
            return;
          }
          if (batch.bytes >= (1 << 16) || (max > 0 && dispatched >= max) || inFlightCount >= pool.depth()
              || pool.otherSlotIdle(this) || !permits.tryAcquire()) {
            break;
          }
          u = pool.pollUnit();
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

  /**
   * Waits (briefly: the other slots' state changes signal nothing here) until the child holds at
   * most {@code level} units.
   */
  private void awaitAnswer(int level) throws InterruptedException {
    slotLock.lock();
    try {
      if (inFlightCount > level && !dead) {
        wakeAt = level;
        answered.await(20, TimeUnit.MILLISECONDS);
      }
    } finally {
      wakeAt = -1;
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
    long id = pool.unitIds.incrementAndGet();
    slotLock.lock();
    try {
      if (dead) {
        pool.giveBackUnit(u);
        return false;
      }
      if (u.isAbandoned()) { // its job gave up after take(): cancelAbandoned() could not see it
        permits.release();
        u.skip();
        return true;
      }
      inFlight.put(id, u);
      inFlightCount = inFlight.size();
      if (Events.recording()) {
        Events.Chunk event = new Events.Chunk();
        event.begin();
        chunkEvents.put(id, event);
      }
    } finally {
      slotLock.unlock();
    }
    dispatched++;
    if (u.isCall()) {
      batch.add(Msg.CALL, id, -1, (Buf) u.attachment());
      return true;
    }
    int slot = functions.slotFor(u.jobId());
    if (slot < 0) {
      slot = -slot - 1;
      batch.add(Msg.FUNCTION, slot, -1, (Buf) u.jobAttachment());
    }
    batch.add(Msg.CHUNK, id, slot, (Buf) u.attachment());
    return true;
  }

  /** The unit the child answered (or gave back); wakes the dispatcher and lets an idle child steal. */
  private WorkUnit remove(long id) {
    WorkUnit u;
    Events.Chunk event;
    slotLock.lock();
    try {
      u = inFlight.remove(id);
      event = chunkEvents.isEmpty() ? null : chunkEvents.remove(id);
      cancelling.remove(id);
      inFlightCount = inFlight.size();
      if (inFlightCount <= wakeAt) {
        answered.signalAll();
      }
    } finally {
      slotLock.unlock();
    }
    if (event != null && u != null && event.shouldCommit()) {
      event.pool = pool.options().name();
      event.items = u.isCall() ? 0 : u.size();
      event.commit();
    }
    if (u != null && inFlightCount == 0) {
      pool.stealFor(this);
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
        pool.ran(nanos);
        try {
          results(u, m);
        } finally {
          permits.release();
        }
        pool.recycle(u); // the child has read the unit's bytes: nothing sends them again
      }
      case Msg.CALL_RESULT -> {
        WorkUnit u = remove(id);
        long nanos = m.readVarLong();
        if (u == null) {
          return;
        }
        pool.ran(nanos);
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
        u.completeCall(value, failure); // the engine completes the future off this reader thread

        permits.release();
      }
      case Msg.UNIT_CANCELLED -> {
        WorkUnit u;
        slotLock.lock();
        try {
          u = inFlight.get(id);
          chunkEvents.remove(id); // given back, not run: no chunk event
        } finally {
          slotLock.unlock();
        }
        if (u != null) {
          // Back in the queue before it leaves this slot's count: while a slot has units out, its
          // dispatcher stays, so a unit given back is never left without one (during close()).
          if (u.isAbandoned()) {
            u.skip();
          } else {
            pool.giveBackUnit(u);
          }
          remove(id);
          permits.release();
        }
      }
      case Msg.INIT_OK -> {
        initialized = true;
        pool.startupDeaths.set(0);
      }
      case Msg.INIT_FAILED -> pool.workerInitFailed(name, Codec.readFailure(m));
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
      chunkEvents.clear();
      inFlightCount = 0;
      answered.signalAll();
    } finally {
      slotLock.unlock();
    }
    Thread d = dispatcher;
    if (d != null) {
      d.interrupt();
    }
    pool.removeSlot(this);
    for (int i = 0; i < lost.size(); i++) {
      if (i == 0 && initialized) {
        lost.get(0).workerDied(death(c, exitCode, outputTail, lost.get(0)));
      } else {
        pool.giveBackUnit(lost.get(i));
      }
    }
    if (retired || d == null) {
      return; // a slot that never got going is retried by whoever started it
    }
    if (!pool.isEnding() && !killedForTimeout) { // ends the pool itself brings about are no news
      String running = lost.isEmpty() || !initialized ? "" : " while running " + describe(lost.get(0));
      ProcessLog.LOG.log(System.Logger.Level.WARNING, () -> "pool " + pool.options().name() + ": worker " + name + " (pid "
          + c.pid() + ") died with exit code " + exitCode + running + "; starting a replacement."
          + " (PoolOptions.retriesOnWorkerDeath re-runs the work of a dead worker.)" + ProcessPool.lastLines(outputTail));
    }
    if (!initialized && pool.startupDeaths.incrementAndGet() >= ProcessPool.START_ATTEMPTS) {
      pool.broken("worker " + name + " (pid " + c.pid() + ") died with exit code " + exitCode
          + " before its initializer finished, " + ProcessPool.START_ATTEMPTS + " times in a row, so the pool cannot run tasks"
          + ProcessPool.lastLines(outputTail), null);
      return;
    }
    // Not on this reader thread: the replacement may take up to the start timeout to be ready, and
    // this child is not gone (its waiters are not released) until exited() returns.
    backend.threads().newPlatformThread("multiproc-" + name + "-replace", true,
        () -> pool.replace(name, "died (exit code " + exitCode + ")")).start();
  }

  private static String describe(WorkUnit u) {
    return u.isCall() ? "a submitted task" : u.size() == 1 ? "item " + u.firstIndex()
        : "items " + u.firstIndex() + ".." + (u.firstIndex() + u.size() - 1);
  }

  private WorkerDiedException death(Child c, int exitCode, String outputTail, WorkUnit u) {
    String what = u.isCall() ? "a submitted task" : u.size() == 1 ? "item " + u.firstIndex()
        : "items " + u.firstIndex() + ".." + (u.firstIndex() + u.size() - 1);
    String message = "worker " + name + " (pid " + c.pid() + ") died with exit code " + exitCode
        + " while running " + what + ProcessPool.lastLines(outputTail);
    return new WorkerDiedException(message, exitCode, u.isCall() ? -1 : u.firstIndex(), null);
  }
}
