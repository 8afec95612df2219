package dev.multiproc.process;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The child's end of the channel, the wiring: reads commands from stdin and hands them on. Pool
 * units and a Worker's task go to the {@link ChildExecutor}, replies to the {@link ParentCalls}
 * they answer; everything to the parent goes through the {@link FrameWriter}, including the
 * child's {@code System.out} and {@code System.err}.
 */
final class ChildChannel {

  /** The channel of this JVM, if it is a child. */
  static volatile ChildChannel current;

  // Stdin through a FileChannel: a thread blocked reading it can be interrupted (the channel is
  // closed and the read returns). The JVM waits up to 300 ms at exit for threads blocked in native
  // code, so the shutdown hook interrupts the reader to let the child exit at once.
  private final DataInputStream in = new DataInputStream(new BufferedInputStream(
      Channels.newInputStream(new FileInputStream(FileDescriptor.in).getChannel()), 1 << 16));
  private volatile Thread reader;
  private volatile boolean exiting;

  private final FileOutputStream pipe = new FileOutputStream(FileDescriptor.out);
  private final FrameWriter out = new FrameWriter(pipe, Ring.openInChild(pipe));
  private final ParentCalls calls = new ParentCalls(out, this::awaitHandled);
  private final ProxyRefs refs = new ProxyRefs(out, this::detached);
  private final ChildExecutor executor = new ChildExecutor(this, out, refs);

  /** Credits for bounded queues, by queue: slots the parent reserved for this child's puts ({@link Msg#CREDIT}). */
  private final ConcurrentHashMap<Long, AtomicInteger> credits = new ConcurrentHashMap<>();

  /** Pipes this child may send on one-way (true), or whose end was closed (false), by pipe id. */
  private final ConcurrentHashMap<Long, Boolean> pipes = new ConcurrentHashMap<>();

  /** @return true (send one-way), false (closed: throw), or null (ask) for pipe {@code id} */
  Boolean pipe(long id) {
    return pipes.get(id);
  }

  /** A send on pipe {@code id} that asked succeeded: the next ones need not ask, unless it is closed meanwhile. */
  void pipeOpen(long id) {
    pipes.putIfAbsent(id, Boolean.TRUE);
  }

  /** Pipe {@code id} is closed (told by the parent, or by a send that asked). */
  void pipeBroken(long id) {
    pipes.put(id, Boolean.FALSE);
  }

  /** What this child knows of each shared-memory lock it used, by id ({@link SlabLock.State}). */
  private final ConcurrentHashMap<Long, SlabLock.State> locks = new ConcurrentHashMap<>();

  /** This child's last write of each event's flag, by id ({@link ChildEvent.Written}). */
  private final ConcurrentHashMap<Long, ChildEvent.Written> events = new ConcurrentHashMap<>();

  /** Items lent to this child, by queue ({@link Msg#LEND}). */
  private final ConcurrentHashMap<Long, Lent> lent = new ConcurrentHashMap<>();

  /** Arrays the executor gave back, to read the next messages into (see {@link #messageArrays()}). */
  private final SpareArrays messageArrays = messageArrays();

  private PrintStream userOut;
  private PrintStream userErr;

  private ChildChannel() {}

  static ChildChannel open() {
    ChildChannel c = new ChildChannel();
    c.userOut = new PrintStream(new FrameWriter.UserStream(c.out, Msg.OUT), true, charset("stdout.encoding"));
    c.userErr = new PrintStream(new FrameWriter.UserStream(c.out, Msg.ERR), true, charset("stderr.encoding"));
    System.setOut(c.userOut);
    System.setErr(c.userErr);
    // Stdin carries the parent's commands: a task reading System.in gets an empty stream, as a
    // Python child reads /dev/null, rather than the channel's bytes (which would break it).
    System.setIn(InputStream.nullInputStream());
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

  // ------------------------------------------------------------------ for the proxies

  /** Sends a message to the parent; see {@link FrameWriter#send}. */
  void send(int type, long id, Buf payload) {
    out.send(type, id, payload);
  }

  /** This child holds no proxy of object {@code id} any more: what it kept for it goes. */
  private void detached(long id) {
    locks.remove(id);
    events.remove(id);
  }

  /** @return this child's state of shared-memory lock {@code id}, made on first use */
  SlabLock.State lockState(long id) {
    return locks.computeIfAbsent(id, k -> new SlabLock.State());
  }

  /** @return true if the parent has read every message sent so far; see {@link FrameWriter#allRead} */
  boolean allRead() {
    return out.allRead();
  }

  /** @return true if messages go to the parent through shared memory, so that {@link #readUpTo} can tell */
  boolean hasRing() {
    return out.hasRing();
  }

  /** Sends a message; see {@link FrameWriter#sendMarked}. */
  long sendMarked(int type, Buf payload) {
    return out.sendMarked(type, payload);
  }

  /** @return true if the parent has read the messages up to {@code mark}; see {@link FrameWriter#readUpTo} */
  boolean readUpTo(long mark) {
    return out.readUpTo(mark);
  }

  /** Each semaphore's entry in this child's holdings ({@link Ring#holding}); -1: none (it asks the parent). */
  private final ConcurrentHashMap<Long, Integer> semaphores = new ConcurrentHashMap<>();

  /** @return this child's holdings entry for semaphore {@code id}, claimed on first use; -1 if it has none */
  int semaphoreEntry(long id) {
    Integer i = semaphores.get(id);
    if (i == null) {
      Ring r = out.ring();
      i = semaphores.computeIfAbsent(id, k -> r == null ? -1 : r.holding(k));
    }
    return i;
  }

  /** @return the ring to the parent, or null */
  Ring ring() {
    return out.ring();
  }

  /** @return this child's last write of event {@code id}'s flag, made on first use */
  ChildEvent.Written eventWritten(long id) {
    return events.computeIfAbsent(id, k -> new ChildEvent.Written());
  }

  /** Sends a message the parent need not read at once; see {@link FrameWriter#sendLazily}. */
  void sendLazily(int type, long id, Buf payload) {
    out.sendLazily(type, id, payload);
  }

  /** See {@link ParentCalls#request}. */
  ParentCalls.Reply request(int type, Buf payload) throws InterruptedException {
    return calls.request(type, payload);
  }

  /** See {@link ParentCalls#requestNow}. */
  ParentCalls.Reply requestNow(int type, Buf payload) {
    return calls.requestNow(type, payload);
  }

  /**
   * Spends a credit of queue {@code queue}, if this child holds one: the put it pays for is
   * one-way ({@link Msg#QUEUE_PUT_CREDITED}).
   */
  boolean spendCredit(long queue) {
    AtomicInteger c = credits.get(queue);
    if (c == null) {
      return false;
    }
    int n;
    do {
      n = c.get();
      if (n == 0) {
        return false;
      }
    } while (!c.compareAndSet(n, n - 1));
    return true;
  }

  /** The items of queue {@code queue} lent to this child, and the lock its gets take turns on. */
  Lent lent(long queue) {
    return lent.computeIfAbsent(queue, Lent::new);
  }

  /**
   * The items of one queue lent to this child, oldest first, and the lock that lets one get on the
   * queue at a time ask the parent: so no get overtakes lent items, which are older than anything
   * still in the parent. A get takes and acknowledges a lent item under the items' lock, and a
   * recall gives back the rest under it, so the parent reads every acknowledgement before the
   * answer to its recall.
   */
  final class Lent {
    private final long queue;
    /** Held by a get of this queue for the whole of it. */
    final java.util.concurrent.locks.ReentrantLock gets = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.ArrayDeque<byte[]> items = new java.util.ArrayDeque<>(); // guarded by lock
    private final java.util.ArrayDeque<Long> ids = new java.util.ArrayDeque<>(); // guarded by lock
    /** Of a joinable queue's items: how many this child took and owes a {@code taskDone} for. */
    private final AtomicInteger owed = new AtomicInteger();

    private Lent(long queue) {
      this.queue = queue;
    }

    /** Takes the oldest lent item and acknowledges it; null if none. */
    byte[] take() {
      lock.lock();
      try {
        byte[] item = items.pollFirst();
        if (item != null) {
          out.sendLazily(Msg.ACK, ids.pollFirst(), null);
        }
        return item;
      } finally {
        lock.unlock();
      }
    }

    /** A get of this joinable queue's items took one. */
    void owe() {
      owed.incrementAndGet();
    }

    /**
     * Pays a {@code taskDone} this child owes, if it owes one, one-way: waking the parent only if
     * it owes no more and holds no lent items (else it will send another, which will: a join
     * waiting meanwhile asks for them, {@link Hub#reports}).
     *
     * @return false if it owed none (the caller asks the parent)
     */
    boolean pay(long joinable) {
      int n;
      do {
        n = owed.get();
        if (n == 0) {
          return false;
        }
      } while (!owed.compareAndSet(n, n - 1));
      boolean more;
      lock.lock();
      try {
        more = n > 1 || !items.isEmpty();
      } finally {
        lock.unlock();
      }
      if (more) {
        out.sendLazily(Msg.TASK_DONE, joinable, null);
      } else {
        out.send(Msg.TASK_DONE, joinable, null);
      }
      return true;
    }

    /** Reader thread: items arrived ({@link Msg#LEND}). */
    private void add(Buf.In m) {
      int n = (int) m.readVarLong();
      long id = m.readVarLong();
      lock.lock();
      try {
        for (int i = 0; i < n; i++) {
          int len = (int) m.readVarLong();
          items.addLast(java.util.Arrays.copyOfRange(m.bytes, m.pos, m.pos + len));
          m.skip(len);
          ids.addLast(id++);
        }
      } finally {
        lock.unlock();
      }
    }

    /** Reader thread: the parent asks for them ({@link Msg#RECALL}). */
    private void recall(boolean back) {
      lock.lock();
      try {
        Buf b = new Buf(8 + (back ? ids.size() * 9 : 0));
        b.writeVarLong(back ? ids.size() : 0);
        if (back) {
          for (long id : ids) {
            b.writeVarLong(id);
          }
          ids.clear();
          items.clear();
        }
        out.send(Msg.GIVE_BACK, queue, b);
      } finally {
        lock.unlock();
      }
    }
  }

  /** The queues and events this child holds proxies of. */
  ProxyRefs refs() {
    return refs;
  }

  // ------------------------------------------------------------------ reading commands

  /** Bytes of stdin the reader has handled, whole messages ({@link Ring#handled}). Reader thread. */
  private long handledBytes;

  /**
   * Waits until this child's reader has handled every message the parent wrote to it before the
   * change in shared memory the calling thread just saw (a freed lock, a permit, a flag, a value),
   * so that acting on it keeps the parent's order: a unit it cancelled before, a pipe end it closed
   * before, is seen as such. The reader has those bytes at hand, so this is a few microseconds at
   * most. Not on the reader thread itself (which handles them), nor without a ring (no counts: then
   * the order is not kept).
   */
  void awaitHandled() {
    Ring r = out.ring();
    if (r == null) {
      return;
    }
    long sent = r.sent();
    if (r.handled() >= sent || Thread.currentThread() == reader) {
      return; // the usual case: nothing to wait for
    }
    for (int spins = 0; r.handled() < sent; spins++) {
      if (spins < 64) {
        Thread.onSpinWait();
      } else if (spins < 96) {
        Thread.yield();
      } else {
        LockSupport.parkNanos(20_000);
      }
    }
  }

  void readLoop() {
    reader = Thread.currentThread();
    while (true) {
      byte[] message;
      int len;
      try {
        len = in.readInt();
        message = messageArrays.take(len);
        in.readFully(message, 0, len);
      } catch (IOException e) {
        if (exiting) {
          return; // interrupted by the exit hook: the JVM is on its way out
        }
        parentGone();
        return;
      }
      try {
        handle(new Buf.In(message, 0, len));
        handledBytes += 4 + len;
        Ring r = out.ring();
        if (r != null) {
          r.handled(handledBytes);
        }
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
      case Msg.REPLY -> calls.replied(id, m);
      case Msg.CREDIT -> credits.computeIfAbsent(id, k -> new AtomicInteger()).addAndGet((int) m.readVarLong());
      case Msg.RECLAIM -> {
        AtomicInteger c = credits.get(id);
        send(Msg.CREDIT_BACK, id, new Buf(8).writeVarLong(c == null ? 0 : c.getAndSet(0)));
      }
      case Msg.LEND -> lent(id).add(m);
      case Msg.RECALL -> lent(id).recall(m.readByte() == 1);
      case Msg.PIPE_BROKEN -> pipeBroken(id);
      case Msg.RUN_WORKER -> executor.runWorker(m);
      case Msg.CANCEL_UNIT -> executor.cancel(id);
      case Msg.CHUNK, Msg.CALL -> executor.arrived(type, id, m);
      case Msg.POOL_INIT, Msg.FUNCTION -> executor.enqueue(type, id, m);
      default -> throw new IllegalStateException("unknown command " + type);
    }
  }

  /**
   * Stdin ended: the parent closed us or died. Pass on what was printed, then halt; or, if the
   * child records with the Flight Recorder ({@link ProcessSettings#EXIT_HOOKS_PROPERTY}), exit
   * through the shutdown hooks, which write the recording, and halt anyway after
   * {@link #EXIT_HOOKS_LIMIT} if they have not finished: a child never outlives its parent by more.
   */
  private void parentGone() {
    flushUserStreams();
    if (Boolean.getBoolean(ProcessSettings.EXIT_HOOKS_PROPERTY)) {
      Thread limit = new Thread(() -> {
        try {
          Thread.sleep(EXIT_HOOKS_LIMIT.toMillis());
        } catch (InterruptedException e) {
          // halt now
        }
        Runtime.getRuntime().halt(0);
      }, "multiproc-child-exit-limit");
      limit.setDaemon(true);
      limit.start();
      System.exit(0);
    }
    Runtime.getRuntime().halt(0);
  }

  /** How long a child that exits through its shutdown hooks may take before it halts. */
  static final Duration EXIT_HOOKS_LIMIT = Duration.ofSeconds(5);

  /** The executor is done with a chunk's message: its array can take a later message. */
  void recycle(byte[] message) {
    messageArrays.giveBack(message);
  }

  /**
   * The arrays chunks' messages are read into, given back once the chunk ran: a map of 100,000
   * ints brings each of two children 200 KB of messages. Four are enough for the chunks a child
   * holds; messages under 1 KiB get new arrays.
   */
  static SpareArrays messageArrays() {
    return new SpareArrays(4, 1 << 10, 1 << 20);
  }

  /** @return the thread that reads commands from the parent, once it runs */
  Thread reader() {
    return reader;
  }

  void flushUserStreams() {
    if (userOut != null) {
      userOut.flush();
      userErr.flush();
    }
  }
}
