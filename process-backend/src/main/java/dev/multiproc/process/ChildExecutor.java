package dev.multiproc.process;

import dev.multiproc.MultiprocException;
import dev.multiproc.NotShippableException;
import dev.multiproc.Task;
import dev.multiproc.TaskCallable;
import dev.multiproc.TaskFunction;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The child's executor: runs pool units on one executor thread (one child = one pool worker, as in
 * Python), in the order they arrive, and a Worker's task on a thread of its own. The channel's
 * reader hands it commands ({@link #arrived}, {@link #cancel}, {@link #enqueue}, {@link #runWorker});
 * results go to the parent through the {@link FrameWriter}.
 */
final class ChildExecutor {

  private final ChildChannel channel;
  private final FrameWriter out;
  private final ProxyRefs refs;
  private final LinkedBlockingQueue<Work> work = new LinkedBlockingQueue<>();
  private final FunctionCache functions = new FunctionCache(); // executor thread only
  private Thread executor;
  // Reader thread only: unit ids arrive in increasing order, so a cancel for an id above the
  // highest seen is for a unit still on its way.
  private long highestArrived;
  private final java.util.Set<Long> cancelledEarly = new java.util.HashSet<>();
  /** Where a fused loop stopped (see {@link #applyInts}): the item's result, or what it threw. Executor thread only. */
  private Object stopResult;
  private Throwable stopFailure;
  private final Buf resultBuf = new Buf(1 << 12); // executor thread only: see resultBuffer(int)
  /** The last chunk's column of numbers, which nothing keeps: the next chunk's are read into it if they fit exactly. */
  private Object spareColumn;
  /** What the pool's initializer threw here, if it did: every unit then fails with it. */
  private Throwable initFailure;

  /** @param channel the channel, whose user streams a Worker flushes before it exits */
  ChildExecutor(ChildChannel channel, FrameWriter out, ProxyRefs refs) {
    this.channel = channel;
    this.out = out;
    this.refs = refs;
  }

  /** A pool unit arrived (CHUNK or CALL): queued, unless its cancel came first. Reader thread. */
  void arrived(int type, long id, Buf.In m) {
    highestArrived = Math.max(highestArrived, id);
    if (cancelledEarly.remove(id)) {
      send(Msg.UNIT_CANCELLED, id, null);
    } else {
      enqueue(type, id, m);
    }
  }

  /** CANCEL_UNIT: gives the unit back if it has not started. Reader thread. */
  void cancel(long id) {
    if (work.removeIf(w -> w.id == id && (w.type == Msg.CHUNK || w.type == Msg.CALL))) {
      send(Msg.UNIT_CANCELLED, id, null);
    } else if (id > highestArrived) {
      cancelledEarly.add(id); // the cancel overtook the unit: refuse it when it comes
    }
  }

  /** Queues a command for the executor thread, starting it on first use. Reader thread. */
  void enqueue(int type, long id, Buf.In m) {
    work.add(new Work(type, id, m));
    if (executor == null) {
      executor = new Thread("multiproc-child-executor") {
        @Override
        public void run() {
          executeLoop();
        }
      };
      executor.setDaemon(true);
      executor.start();
    }
  }

  private void send(int type, long id, Buf payload) {
    out.send(type, id, payload);
  }

  // ------------------------------------------------------------------ a Worker's task

  void runWorker(Buf.In m) {
    String name = m.readString();
    Object task;
    try {
      task = Codec.readValue(m);
    } catch (RuntimeException e) {
      finishWorker(received("task", e));
      return;
    }
    Task t = (Task) task;
    Thread thread = new Thread(name) {
      @Override
      public void run() {
        Throwable failure = null;
        try {
          t.run();
        } catch (Throwable e) {
          failure = e;
        }
        finishWorker(failure);
      }
    };
    thread.start();
  }

  /**
   * The Worker's task ended: reports how, waits for the non-daemon threads it started, then exits
   * with the task's outcome (0, or 1 if it threw). Python's {@code Process} joins its non-daemon
   * threads before it exits ({@code threading._shutdown()} in {@code _bootstrap}), as a JVM whose
   * {@code main} returns does. {@code terminate()} and {@code kill()} still end the child at once:
   * a signal does not wait for threads.
   */
  private void finishWorker(Throwable failure) {
    if (failure != null) {
      System.err.println("Exception in worker \"" + Thread.currentThread().getName() + "\":");
      failure.printStackTrace();
    }
    channel.flushUserStreams();
    Buf b = new Buf();
    if (failure == null) {
      b.writeByte(1);
    } else {
      b.writeByte(0);
      Codec.writeFailure(failure, b);
    }
    send(Msg.WORKER_DONE, 0, b);
    awaitNonDaemonThreads();
    channel.flushUserStreams();
    System.exit(failure == null ? 0 : 1);
  }

  /** Waits until no platform thread but this one and the reader is alive and non-daemon. */
  private void awaitNonDaemonThreads() {
    Thread self = Thread.currentThread();
    Thread reader = channel.reader();
    ThreadGroup root = self.getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    while (true) {
      Thread next = null;
      // The platform threads, without Thread.getAllStackTraces()'s safepoint and stack walks.
      Thread[] all = new Thread[root.activeCount() + 16];
      int n;
      while ((n = root.enumerate(all, true)) == all.length) {
        all = new Thread[all.length * 2];
      }
      for (int i = 0; i < n; i++) {
        Thread t = all[i];
        if (t != self && t != reader && !t.isDaemon() && t.isAlive() && !t.getName().equals("DestroyJavaVM")) {
          next = t;
          break;
        }
      }
      if (next == null) {
        return;
      }
      try {
        next.join();
      } catch (InterruptedException e) {
        return; // nothing interrupts this thread but the JVM's own end
      }
    }
  }

  /** A value the parent sent could not be rebuilt here: the failure, naming the value and its class. */
  private static NotShippableException received(String what, RuntimeException e) {
    if (e instanceof Codec.ShippingException s) {
      return Codec.unreadable(what, "in the child process", s);
    }
    return new NotShippableException("cannot read the " + what + " in the child process: " + e, e);
  }

  // ------------------------------------------------------------------ pool units

  /** A command for the executor, in arrival order. */
  private record Work(int type, long id, Buf.In m) {}

  private void executeLoop() {
    while (true) {
      Work w;
      try {
        // Between units (or every second when idle): nothing this thread sends can carry a proxy now.
        refs.flush();
        w = work.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (w == null) {
        continue;
      }
      int type = w.type;
      long id = w.id;
      Buf.In m = w.m;
      switch (type) {
        case Msg.POOL_INIT -> initialize(m);
        case Msg.FUNCTION -> {
          try {
            functions.store((int) id, Codec.readValue(m));
          } catch (RuntimeException e) {
            functions.store((int) id, received("function", e));
          }
        }
        case Msg.CHUNK, Msg.CALL -> {
          try {
            if (type == Msg.CHUNK) {
              runChunk(id, m);
              channel.recycle(m.bytes); // nothing keeps a chunk's bytes once it ran
            } else {
              runCall(id, m);
            }
          } catch (RuntimeException | LinkageError e) {
            // Not the task's failure (that is reported with the results): the unit could not be
            // run or answered. Answer it anyway, so that its caller does not wait for ever.
            unitFailed(id, new MultiprocException("the child process could not run or answer "
                + (type == Msg.CHUNK ? "a chunk of items" : "a task") + ": " + e, e));
          }
        }
        default -> throw new IllegalStateException("unknown work " + type);
      }
    }
  }

  private void initialize(Buf.In m) {
    Throwable failure = null;
    try {
      Task init = (Task) Codec.readValue(m);
      if (init != null) {
        init.run();
      }
    } catch (Codec.ShippingException e) {
      failure = received("initializer", e);
    } catch (Throwable e) {
      failure = e;
    }
    if (failure != null) {
      initFailure = failure;
      Buf b = new Buf();
      Codec.writeFailure(failure, b);
      send(Msg.INIT_FAILED, 0, b);
    } else {
      send(Msg.INIT_OK, 0, null);
    }
  }

  /**
   * Runs a chunk. A column of numbers whose results are numbers of the same type (the common
   * {@code map(x -> x * x, ints)}) takes a fused path: one loop from the items' primitive array to
   * the results' (reused from chunk to chunk), with no array of boxes on either side, which the JIT
   * compiles early and, once it inlines the function, runs without allocating. Any other result,
   * or a failure, hands the rest of the chunk to the general loop, which applies the function to
   * the items not yet done (never twice to one item).
   */
  @SuppressWarnings("unchecked")
  private void runChunk(long unit, Buf.In m) {
    if (initFailure != null) {
      unitFailed(unit, initFailure);
      return;
    }
    int slot = (int) m.readVarLong();
    Object fn = functions.get(slot);
    Object column;
    try {
      column = Codec.readColumn(m, spareColumn);
    } catch (RuntimeException e) {
      unitFailed(unit, received("items", e));
      return;
    }
    if (fn instanceof NotShippableException n) {
      unitFailed(unit, n);
      return;
    }
    TaskFunction<Object, Object> f = (TaskFunction<Object, Object>) fn;
    long started = System.nanoTime();
    stopResult = null;
    stopFailure = null;
    int n;
    int done;
    Object numbers; // the results so far, as a primitive array; null for a column of objects
    if (column instanceof int[] v) {
      n = v.length;
      int[] r = Codec.spareInts(n);
      done = applyInts(f, v, r);
      numbers = r;
      spareColumn = v;
    } else if (column instanceof long[] v) {
      n = v.length;
      long[] r = Codec.spareLongs(n);
      done = applyLongs(f, v, r);
      numbers = r;
      spareColumn = v;
    } else if (column instanceof double[] v) {
      n = v.length;
      double[] r = Codec.spareDoubles(n);
      done = applyDoubles(f, v, r);
      numbers = r;
      spareColumn = v;
    } else {
      n = ((Object[]) column).length;
      done = 0;
      numbers = null;
    }
    Buf b = resultBuffer(n);
    if (numbers != null && done == n) {
      b.writeVarLong(System.nanoTime() - started);
      b.writeByte(Msg.RESULTS_ITEMS);
      // if, not a pattern switch: a type switch is an invokedynamic whose first linking spins
      // classes, ~10 ms of a cold child's first map
      if (numbers instanceof int[] r) {
        Codec.putInts(r, n, b);
      } else if (numbers instanceof long[] r) {
        Codec.putLongs(r, n, b);
      } else {
        Codec.putDoubles((double[]) numbers, n, b);
      }
      b.writeVarLong(0); // no item failed
      send(Msg.RESULTS, unit, b);
      return;
    }
    Object[] results = new Object[n];
    Throwable[] failures = null;
    if (numbers != null) {
      for (int i = 0; i < done; i++) {
        results[i] = java.lang.reflect.Array.get(numbers, i); // the spare may be longer than the chunk: box only these
      }
      if (stopFailure != null) {
        failures = new Throwable[n];
        failures[done] = stopFailure;
      } else {
        results[done] = stopResult;
      }
      done++;
    }
    Object[] items = numbers == null ? (Object[]) column : Codec.box(column);
    failures = applyAll(f, items, done, results, failures);
    b.writeVarLong(System.nanoTime() - started);
    int mark = b.size;
    b.writeByte(Msg.RESULTS_ITEMS);
    try {
      Codec.writeArray(results, "result of item", 0, b);
    } catch (NotShippableException e) {
      b.size = mark + 1;
      failures = dropUnshippable(results, failures);
      Codec.writeArray(results, "result of item", 0, b);
    }
    int count = 0;
    if (failures != null) {
      for (Throwable t : failures) {
        count += t == null ? 0 : 1;
      }
    }
    b.writeVarLong(count);
    if (failures != null) {
      for (int i = 0; i < failures.length; i++) {
        if (failures[i] != null) {
          b.writeVarLong(i);
          Codec.writeFailure(failures[i], b);
        }
      }
    }
    send(Msg.RESULTS, unit, b);
  }

  /**
   * The buffer a chunk's results are encoded into: one, reused from chunk to chunk (sending
   * copies it), so that a child does not touch fresh memory for every chunk; a chunk far larger
   * than usual gets a buffer of its own, not kept.
   */
  private Buf resultBuffer(int items) {
    if (items > 1 << 16) {
      return new Buf(64 + items * 8);
    }
    resultBuf.size = 0;
    return resultBuf;
  }

  // The fused loops: f applied while each result is a box of the items' type. Each returns how
  // many items it did; where it stopped, the item's result is in stopResult, or what it threw in
  // stopFailure. Executor thread only.

  private int applyInts(TaskFunction<Object, Object> f, int[] items, int[] results) {
    int i = 0;
    try {
      for (; i < items.length; i++) {
        Object r = f.apply(items[i]);
        if (!(r instanceof Integer x)) {
          stopResult = r;
          return i;
        }
        results[i] = x;
      }
      return i;
    } catch (Throwable e) {
      stopFailure = e;
      return i;
    }
  }

  private int applyLongs(TaskFunction<Object, Object> f, long[] items, long[] results) {
    int i = 0;
    try {
      for (; i < items.length; i++) {
        Object r = f.apply(items[i]);
        if (!(r instanceof Long x)) {
          stopResult = r;
          return i;
        }
        results[i] = x;
      }
      return i;
    } catch (Throwable e) {
      stopFailure = e;
      return i;
    }
  }

  private int applyDoubles(TaskFunction<Object, Object> f, double[] items, double[] results) {
    int i = 0;
    try {
      for (; i < items.length; i++) {
        Object r = f.apply(items[i]);
        if (!(r instanceof Double x)) {
          stopResult = r;
          return i;
        }
        results[i] = x;
      }
      return i;
    } catch (Throwable e) {
      stopFailure = e;
      return i;
    }
  }

  /**
   * Applies {@code f} to {@code items[from, n)}: what each threw is in the array returned (null if
   * none threw and {@code failures} was null). Kept small, so that the JIT compiles it early and cheaply.
   */
  private static Throwable[] applyAll(TaskFunction<Object, Object> f, Object[] items, int from, Object[] results,
      Throwable[] failures) {
    for (int i = from; i < items.length; i++) {
      try {
        results[i] = f.apply(items[i]);
      } catch (Throwable e) {
        if (failures == null) {
          failures = new Throwable[items.length];
        }
        failures[i] = e;
      }
    }
    return failures;
  }

  /** Some results cannot be shipped: each such result becomes its item's failure. Returns the failures. */
  private static Throwable[] dropUnshippable(Object[] results, Throwable[] failures) {
    for (int i = 0; i < results.length; i++) {
      try {
        Codec.encodeValue(results[i], "result of this item");
      } catch (NotShippableException n) {
        results[i] = null;
        if (failures == null) {
          failures = new Throwable[results.length];
        }
        failures[i] = n;
      }
    }
    return failures;
  }

  private void unitFailed(long unit, Throwable failure) {
    Buf b = new Buf();
    b.writeVarLong(0);
    b.writeByte(Msg.RESULTS_UNIT_FAILED);
    Codec.writeFailure(failure, b);
    send(Msg.RESULTS, unit, b);
  }

  private void runCall(long unit, Buf.In m) {
    if (initFailure != null) {
      unitFailed(unit, initFailure);
      return;
    }
    Object result = null;
    Throwable failure = null;
    long started = System.nanoTime();
    try {
      TaskCallable<?> c = (TaskCallable<?>) Codec.readValue(m);
      result = c.call();
    } catch (Codec.ShippingException e) {
      failure = received("task", e);
    } catch (Throwable e) {
      failure = e;
    }
    Buf b = new Buf();
    b.writeVarLong(System.nanoTime() - started);
    int mark = b.size;
    if (failure == null) {
      try {
        b.writeByte(1);
        Codec.writeValue(result, "task's result", b);
      } catch (NotShippableException e) {
        b.size = mark;
        failure = e;
      }
    }
    if (failure != null) {
      b.writeByte(0);
      Codec.writeFailure(failure, b);
    }
    send(Msg.CALL_RESULT, unit, b);
  }
}
