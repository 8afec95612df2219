package dev.multiproc.process;

import dev.multiproc.MultiprocException;
import dev.multiproc.NotShippableException;
import dev.multiproc.Task;
import dev.multiproc.TaskCallable;
import dev.multiproc.TaskFunction;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.charset.Charset;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The child's end of the channel: reads commands from stdin, writes frames to stdout, runs pool
 * units on one executor thread (one child = one pool worker, as in Python), runs a Worker's task
 * on its own thread, and carries the requests of queue and event proxies.
 *
 * <p>Writes are flat-combined: a sending thread appends its frames to a shared buffer and, unless
 * another thread is already writing, writes the buffer itself in pipe-atomic pieces. A send
 * returns once its bytes are in the pipe, so a queue item put by a child that is killed the next
 * moment still reaches the parent; under load many messages share one write.
 */
final class ChildChannel {

  /** The channel of this JVM, if it is a child. */
  static volatile ChildChannel current;

  /** The function cache has this many slots; the parent decides what goes where. */
  static final int FUNCTION_SLOTS = 8;

  private final FileOutputStream rawOut = new FileOutputStream(FileDescriptor.out);
  // Stdin through a FileChannel: a thread blocked reading it can be interrupted (the channel is
  // closed and the read returns). The JVM waits up to 300 ms at exit for threads blocked in native
  // code, so the shutdown hook interrupts the reader to let the child exit at once.
  private final DataInputStream in = new DataInputStream(new BufferedInputStream(
      Channels.newInputStream(new FileInputStream(FileDescriptor.in).getChannel()), 1 << 16));
  private volatile Thread reader;
  private volatile boolean exiting;

  private final ReentrantLock writeLock = new ReentrantLock();
  private final Condition written = writeLock.newCondition();
  private Outbox outbox = new Outbox();
  private final Frames.Encoder encoder = new Frames.Encoder(); // guarded by writeLock
  private final Buf header = new Buf(16); // guarded by writeLock
  private Outbox spare = new Outbox();
  private boolean writing;
  private long appended;
  private long done;

  private final ConcurrentHashMap<Long, Pending> requests = new ConcurrentHashMap<>();
  private final AtomicLong requestIds = new AtomicLong();

  private final LinkedBlockingQueue<Work> work = new LinkedBlockingQueue<>();
  private final Object[] functions = new Object[FUNCTION_SLOTS];
  private Thread executor;
  // Reader thread only: unit ids arrive in increasing order, so a cancel for an id above the
  // highest seen is for a unit still on its way.
  private long highestArrived;
  private final java.util.Set<Long> cancelledEarly = new java.util.HashSet<>();
  /** What the pool's initializer threw here, if it did: every unit then fails with it. */
  private Throwable initFailure;

  private PrintStream userOut;
  private PrintStream userErr;

  private ChildChannel() {}

  static ChildChannel open() {
    ChildChannel c = new ChildChannel();
    c.userOut = new PrintStream(new UserStream(c, Msg.OUT), true, charset("stdout.encoding"));
    c.userErr = new PrintStream(new UserStream(c, Msg.ERR), true, charset("stderr.encoding"));
    System.setOut(c.userOut);
    System.setErr(c.userErr);
    current = c;
    Runtime.getRuntime().addShutdownHook(new Thread("multiproc-child-exit") {
      @Override
      public void run() {
        c.flushUserStreams();
        c.exiting = true;
        Thread r = c.reader;
        if (r != null) {
          r.interrupt();
        }
      }
    });
    return c;
  }

  private static Charset charset(String property) {
    String name = System.getProperty(property);
    try {
      return name == null ? Charset.defaultCharset() : Charset.forName(name);
    } catch (RuntimeException e) {
      return Charset.defaultCharset();
    }
  }

  void hello() {
    send(Msg.HELLO, 0, null);
  }

  // ------------------------------------------------------------------ reading commands

  void readLoop() {
    reader = Thread.currentThread();
    while (true) {
      byte[] message;
      try {
        int len = in.readInt();
        message = new byte[len];
        in.readFully(message);
      } catch (IOException e) {
        if (exiting) {
          return; // interrupted by the exit hook: the JVM is on its way out
        }
        parentGone();
        return;
      }
      try {
        handle(new Buf.In(message));
      } catch (RuntimeException | Error e) {
        // The channel cannot be trusted any more: say why, and end (the parent sees this child die).
        new PrintStream(new FileOutputStream(FileDescriptor.err), true).println(
            "multiproc child: cannot handle a message from the parent: " + e);
        Runtime.getRuntime().halt(70);
      }
    }
  }

  private void handle(Buf.In m) {
    int type = m.readByte();
    long id = m.readVarLong();
    switch (type) {
      case Msg.REPLY -> {
        Pending p = requests.remove(id);
        if (p != null) {
          p.complete(new Reply(id, m));
        }
      }
      case Msg.RUN_WORKER -> runWorker(m);
      case Msg.CANCEL_UNIT -> {
        if (work.removeIf(w -> w.id == id && (w.type == Msg.CHUNK || w.type == Msg.CALL))) {
          send(Msg.UNIT_CANCELLED, id, null);
        } else if (id > highestArrived) {
          cancelledEarly.add(id); // the cancel overtook the unit: refuse it when it comes
        }
      }
      case Msg.CHUNK, Msg.CALL -> {
        highestArrived = Math.max(highestArrived, id);
        if (cancelledEarly.remove(id)) {
          send(Msg.UNIT_CANCELLED, id, null);
        } else {
          enqueue(new Work(type, id, m));
        }
      }
      case Msg.POOL_INIT, Msg.FUNCTION -> enqueue(new Work(type, id, m));
      default -> throw new IllegalStateException("unknown command " + type);
    }
  }

  private void enqueue(Work w) {
    work.add(w);
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

  /** Stdin ended: the parent closed us or died. Pass on what was printed, then halt. */
  private void parentGone() {
    flushUserStreams();
    Runtime.getRuntime().halt(0);
  }

  private void flushUserStreams() {
    if (userOut != null) {
      userOut.flush();
      userErr.flush();
    }
  }

  // ------------------------------------------------------------------ a Worker's task

  private void runWorker(Buf.In m) {
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
    flushUserStreams();
    Buf b = new Buf();
    if (failure == null) {
      b.writeByte(1);
    } else {
      b.writeByte(0);
      Codec.writeFailure(failure, b);
    }
    send(Msg.WORKER_DONE, 0, b);
    awaitNonDaemonThreads();
    flushUserStreams();
    System.exit(failure == null ? 0 : 1);
  }

  /** Waits until no platform thread but this one and the reader is alive and non-daemon. */
  private void awaitNonDaemonThreads() {
    Thread self = Thread.currentThread();
    while (true) {
      Thread next = null;
      for (Thread t : Thread.getAllStackTraces().keySet()) {
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
        w = work.take();
      } catch (InterruptedException e) {
        return;
      }
      int type = w.type;
      long id = w.id;
      Buf.In m = w.m;
      switch (type) {
        case Msg.POOL_INIT -> initialize(m);
        case Msg.FUNCTION -> {
          try {
            functions[(int) id] = Codec.readValue(m);
          } catch (RuntimeException e) {
            functions[(int) id] = received("function", e);
          }
        }
        case Msg.CHUNK, Msg.CALL -> {
          try {
            if (type == Msg.CHUNK) {
              runChunk(id, m);
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

  @SuppressWarnings("unchecked")
  private void runChunk(long unit, Buf.In m) {
    if (initFailure != null) {
      unitFailed(unit, initFailure);
      return;
    }
    int slot = (int) m.readVarLong();
    Object fn = functions[slot];
    Object[] items;
    try {
      items = Codec.readArray(m);
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
    Object[] results = new Object[items.length];
    Throwable[] failures = null;
    for (int i = 0; i < items.length; i++) {
      try {
        results[i] = f.apply(items[i]);
      } catch (Throwable e) {
        if (failures == null) {
          failures = new Throwable[items.length];
        }
        failures[i] = e;
      }
    }
    Buf b = new Buf(64 + items.length * 8);
    b.writeVarLong(System.nanoTime() - started);
    int mark = b.size;
    b.writeByte(Msg.RESULTS_ITEMS);
    try {
      Codec.writeArray(results, "result of item", 0, b);
    } catch (NotShippableException e) {
      b.size = mark + 1;
      for (int i = 0; i < results.length; i++) {
        try {
          Codec.encodeValue(results[i], "result of this item");
        } catch (NotShippableException n) {
          results[i] = null;
          if (failures == null) {
            failures = new Throwable[items.length];
          }
          failures[i] = n;
        }
      }
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

  // ------------------------------------------------------------------ requests of proxies

  /** A reply from the parent. */
  static final class Reply {
    final long id;
    final int status;
    final Buf.In payload;

    Reply(long id, Buf.In m) {
      this.id = id;
      this.status = m.readByte();
      this.payload = m;
    }
  }

  private static final class Pending {
    private final CountDownLatch latch = new CountDownLatch(1);
    private volatile Reply reply;

    void complete(Reply r) {
      reply = r;
      latch.countDown();
    }

    Reply await() throws InterruptedException {
      latch.await();
      return reply;
    }

    Reply awaitUninterruptibly() {
      boolean interrupted = false;
      while (true) {
        try {
          latch.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return reply;
    }
  }

  /**
   * Sends a request and waits for the reply. If interrupted while waiting, tells the parent to
   * cancel and waits for its final answer: a cancelled request throws
   * {@link InterruptedException}; one that completed anyway returns with the interrupt flag set.
   */
  Reply request(int type, Buf payload) throws InterruptedException {
    long id = requestIds.incrementAndGet();
    Pending p = new Pending();
    requests.put(id, p);
    send(type, id, payload);
    try {
      return p.await();
    } catch (InterruptedException e) {
      send(Msg.CANCEL, id, null);
      Reply r = p.awaitUninterruptibly();
      if (r.status == Msg.R_CANCELLED) {
        Thread.interrupted();
        throw e;
      }
      Thread.currentThread().interrupt();
      return r;
    }
  }

  /** A request whose answer comes at once (no waiting in the parent): not interruptible. */
  Reply requestNow(int type, Buf payload) {
    long id = requestIds.incrementAndGet();
    Pending p = new Pending();
    requests.put(id, p);
    send(type, id, payload);
    return p.awaitUninterruptibly();
  }

  // ------------------------------------------------------------------ writing frames

  /** Frames waiting to be written, with the offset where each ends. */
  private static final class Outbox {
    final Buf bytes = new Buf(Frames.MAX_WIRE * 2);
    int[] ends = new int[64];
    int frames;

    void clear() {
      bytes.size = 0;
      frames = 0;
    }
  }

  /**
   * Sends a message; returns once it is written to the pipe.
   *
   * @param payload the payload, or null for none
   */
  void send(int type, long id, Buf payload) {
    int payloadSize = payload == null ? 0 : payload.size;
    writeLock.lock();
    try {
      if (payloadSize + 11 <= Frames.MAX_FRAGMENT) {
        // The common case, one frame: encoded straight from the header and the payload.
        header.size = 0;
        header.writeByte(type).writeVarLong(id);
        encoder.begin(outbox.bytes, Frames.FIRST | Frames.LAST, header.size + payloadSize + 4);
        encoder.put(header.bytes, 0, header.size);
        if (payloadSize > 0) {
          encoder.put(payload.bytes, 0, payloadSize);
        }
        encoder.end();
        endFrame();
      } else {
        Buf message = new Buf(payloadSize + 11);
        message.writeByte(type).writeVarLong(id);
        message.writeBytes(payload.bytes, 0, payloadSize);
        // A message in pieces: the first says how long the whole is, so the parent allocates it once.
        Buf first = new Buf(Frames.MAX_FRAGMENT).writeVarLong(message.size);
        int n = Frames.MAX_FRAGMENT - first.size;
        first.writeBytes(message.bytes, 0, n);
        frame(Frames.FIRST, first.bytes, 0, first.size);
        for (int off = n; off < message.size; off += n) {
          n = Math.min(Frames.MAX_FRAGMENT, message.size - off);
          frame(off + n == message.size ? Frames.LAST : 0, message.bytes, off, n);
        }
      }
      long mine = ++appended;
      if (writing) {
        while (done < mine) {
          written.awaitUninterruptibly();
        }
        return;
      }
      writing = true;
      try {
        while (outbox.frames > 0) {
          Outbox batch = outbox;
          outbox = spare;
          long upTo = appended;
          writeLock.unlock();
          try {
            writeOut(batch);
          } finally {
            writeLock.lock();
          }
          batch.clear();
          spare = batch;
          done = upTo;
          written.signalAll();
        }
      } finally {
        writing = false;
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** Appends one frame to the outbox. Holds writeLock. */
  private void frame(int flags, byte[] b, int off, int len) {
    encoder.begin(outbox.bytes, flags, len + 4);
    encoder.put(b, off, len);
    encoder.end();
    endFrame();
  }

  /** Records where the frame just encoded into the outbox ends. Holds writeLock. */
  private void endFrame() {
    if (outbox.frames == outbox.ends.length) {
      outbox.ends = java.util.Arrays.copyOf(outbox.ends, outbox.frames * 2);
    }
    outbox.ends[outbox.frames++] = outbox.bytes.size;
  }

  /** Writes whole frames in pieces of at most PIPE_BUF bytes, each one write call. */
  private void writeOut(Outbox batch) {
    byte[] b = batch.bytes.bytes;
    int start = 0;
    int last = 0;
    try {
      for (int i = 0; i < batch.frames; i++) {
        if (batch.ends[i] - start > Frames.MAX_WIRE) {
          rawOut.write(b, start, last - start);
          start = last;
        }
        last = batch.ends[i];
      }
      rawOut.write(b, start, last - start);
    } catch (IOException e) {
      // The parent is gone: nobody reads us any more.
      Runtime.getRuntime().halt(0);
    }
  }

  /** {@code System.out} / {@code System.err} of the child: bytes go to the parent as frames. */
  private static final class UserStream extends OutputStream {
    private final ChildChannel channel;
    private final int type;
    private final Buf pending = new Buf(512);

    UserStream(ChildChannel channel, int type) {
      this.channel = channel;
      this.type = type;
    }

    @Override
    public void write(int b) {
      pending.writeByte(b);
      if (pending.size >= 8192) {
        flush();
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      pending.writeBytes(b, off, len);
      if (pending.size >= 8192) {
        flush();
      }
    }

    @Override
    public void flush() {
      if (pending.size > 0) {
        channel.send(type, 0, pending);
        pending.size = 0;
      }
    }
  }
}
