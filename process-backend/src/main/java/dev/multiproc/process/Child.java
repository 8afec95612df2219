package dev.multiproc.process;

import dev.multiproc.MultiprocException;
import dev.multiproc.engine.Events;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The parent's handle on one child JVM: the process, a lock-guarded writer to its stdin, a reader
 * thread that splits its stdout into frames and raw output, and a thread that forwards its stderr
 * (keeping the last few kilobytes for error messages).
 *
 * <p>The reader thread handles {@code HELLO}, output and hub messages itself and passes the rest
 * to the {@link Handler}. When stdout ends, the child is gone: the reader reaps the exit code,
 * lets the hub put back what the child held, and reports the exit once.
 */
final class Child {

  /** Receives a child's messages and its end; called on the child's reader thread. */
  interface Handler {
    void message(Child child, int type, long id, Buf.In payload);

    /**
     * @param exitCode as {@link dev.multiproc.Worker#exitCode()}: -N for signal N
     * @param outputTail the last output the child wrote outside the channel
     */
    void exited(Child child, int exitCode, String outputTail);
  }

  private static final int TAIL = 8192;

  /** The name of its user (a worker, a pool's worker); a spare's until it is adopted. */
  volatile String name;
  final Hub.Peer peer = new Hub.Peer();
  private final ProcessBackend backend;
  private volatile Handler handler;
  // A spare is adopted at most once, and only while its end is not yet reported: whoever gets the
  // child also gets its exited() call.
  private final ReentrantLock adoption = new ReentrantLock();
  private boolean endReported; // guarded by adoption
  private Thread stdoutThread;
  private Thread stderrThread;
  private final List<String> command;
  private final Process process;
  /** The shared memory the child sends its messages through, or null: then all come on stdout. */
  private final Ring ring;
  /** The semaphore permits the child counted itself when it ended: id, count, ... ({@link Ring#holdings}). */
  private volatile long[] heldAtDeath = new long[0];
  private final OutputStream stdin;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Buf header = new Buf(32);
  /** Bytes written to the child's stdin so far; guarded by writeLock. */
  private long sent;
  private final CountDownLatch readyOrGone = new CountDownLatch(1);
  private final CountDownLatch gone = new CountDownLatch(1);
  private final CountDownLatch stderrDone = new CountDownLatch(1);
  private final byte[] tail = new byte[TAIL];
  private final ReentrantLock tailLock = new ReentrantLock();
  private long tailBytes;
  private volatile boolean ready;
  private volatile int exitCode;
  private CdsArchive.Trainer trainer;
  /** Null unless the Flight Recorder runs ({@link Events#recording()}). */
  private final Events.ChildStart startEvent = Events.recording() ? new Events.ChildStart() : null;
  private boolean startRecorded; // guarded by tailLock

  private Child(ProcessBackend backend, String name, Handler handler, List<String> command, Process process, Ring ring) {
    this.backend = backend;
    this.ring = ring;
    this.name = name;
    this.handler = handler;
    this.command = command;
    this.process = process;
    this.stdin = process.getOutputStream();
  }

  /**
   * Launches a child JVM; returns without waiting for it to be ready (see {@link #awaitReady}).
   *
   * @param daemon false to keep this JVM alive while the child runs (a non-daemon Worker)
   * @throws MultiprocException if the process cannot be launched at all
   */
  static Child start(ProcessBackend backend, String name, boolean daemon, Handler handler) {
    return start(backend, name, daemon, handler, false);
  }

  /**
   * Launches a spare child: a started JVM that waits, warming itself up, until a user
   * {@linkplain #adopt adopts} it. Its threads are daemons, so it keeps no JVM alive.
   */
  static Child startSpare(ProcessBackend backend, String name, Handler handler) {
    return start(backend, name, true, handler, true);
  }

  private static Child start(ProcessBackend backend, String name, boolean daemon, Handler handler, boolean spare) {
    CdsArchive.Trainer[] trainer = new CdsArchive.Trainer[1];
    Ring ring = backend.takeRing();
    List<String> command = backend.command(trainer, spare, ring);
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      if (trainer[0] != null) {
        trainer[0].finish();
      }
      backend.giveBackRing(ring);
      throw new MultiprocException("cannot start a child JVM for " + name + " with " + command.get(0) + ": "
          + e.getMessage() + ". Check multiproc.process.java (a java executable) or leave it unset to use this JVM's.", e);
    }
    Child c = new Child(backend, name, handler, command, process, ring);
    if (c.startEvent != null) {
      c.startEvent.begin();
    }
    c.trainer = trainer[0];
    backend.childStarted(c);
    c.stderrThread = backend.threads().newPlatformThread("multiproc-" + name + "-stderr", true, c::pumpStderr);
    c.stdoutThread = backend.threads().newPlatformThread("multiproc-" + name + "-stdout", daemon, c::readLoop);
    c.stderrThread.start();
    c.stdoutThread.start();
    return c;
  }

  /**
   * Hands a spare child to its user: from now on its messages and its end go to {@code user}.
   *
   * @param daemon false to keep this JVM alive while the child runs, as {@link #start} does
   * @return false if the child is gone already (its end was reported to the spare's handler)
   */
  boolean adopt(String userName, boolean daemon, Handler user) {
    adoption.lock();
    try {
      if (endReported) {
        return false;
      }
      name = userName;
      handler = user;
    } finally {
      adoption.unlock();
    }
    stdoutThread.setName("multiproc-" + userName + "-stdout");
    stderrThread.setName("multiproc-" + userName + "-stderr");
    if (!daemon) {
      // the reader is a daemon (spares keep no JVM alive): this thread stands in for it
      backend.threads().newPlatformThread("multiproc-" + userName + "-keeper", false, () -> {
        try {
          gone.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }).start();
    }
    return true;
  }

  long pid() {
    return process.pid();
  }

  /** @return how many permits of semaphore {@code id} the child, now gone, counted itself as holding */
  long semaphoreHeld(long id) {
    long[] h = heldAtDeath;
    for (int i = 0; i < h.length; i += 2) {
      if (h[i] == id) {
        return h[i + 1];
      }
    }
    return 0;
  }

  /**
   * Waits for the child's hello.
   *
   * @throws MultiprocException if the child ends first (with its stderr and command in the
   *     message) or does not answer in time (it is killed)
   */
  void awaitReady(Duration timeout) {
    boolean answered;
    try {
      answered = readyOrGone.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      kill();
      Thread.currentThread().interrupt();
      throw new MultiprocException("interrupted while starting the child JVM for " + name, e);
    }
    recordStart();
    if (ready) {
      return;
    }
    if (!answered) {
      kill();
      awaitGone(Duration.ofSeconds(5));
      throw new MultiprocException("the child JVM for " + name + " did not start within " + timeout
          + " (multiproc.process.start-timeout). Command: " + String.join(" ", command) + stderrNote());
    }
    awaitGone(Duration.ofSeconds(5));
    throw new MultiprocException("the child JVM for " + name + " exited with code " + exitCode
        + " before it was ready" + settingsNote() + ". Command: " + String.join(" ", command) + stderrNote());
  }

  /** Names the settings behind the command line, so that a bad value is traced to its key. */
  private String settingsNote() {
    ProcessSettings s = backend.settings();
    StringBuilder b = new StringBuilder();
    if (!s.jvmOptions().isEmpty()) {
      b.append("; if the JVM refused an option, fix multiproc.process.jvm-options (")
          .append(String.join(" ", s.jvmOptions())).append(")");
    }
    b.append("; if it could not find ").append(ChildMain.class.getName())
        .append(", set multiproc.process.class-path");
    return b.toString();
  }

  /** Commits the JFR start event once: from launch until ready (or until it failed to be). */
  private void recordStart() {
    tailLock.lock();
    try {
      if (startRecorded) {
        return;
      }
      startRecorded = true;
    } finally {
      tailLock.unlock();
    }
    if (startEvent != null && startEvent.shouldCommit()) {
      startEvent.worker = name;
      startEvent.pid = process.pid();
      startEvent.ready = ready;
      startEvent.commit();
    }
  }

  private String stderrNote() {
    try {
      stderrDone.await(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String t = outputTail().strip();
    return t.isEmpty() ? "" : ". Its output:\n" + t;
  }

  boolean isGone() {
    return gone.getCount() == 0;
  }

  /** @return true once the child's end is being (or has been) reported to its handler */
  boolean endReported() {
    adoption.lock();
    try {
      return endReported;
    } finally {
      adoption.unlock();
    }
  }

  /** @return true if the child is gone within the timeout */
  boolean awaitGone(Duration timeout) {
    try {
      return gone.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Sends a message on the child's stdin.
   *
   * @throws IOException if the child is gone
   */
  void send(int type, long id, Buf payload) throws IOException {
    writeLock.lock();
    try {
      write(type, id, payload);
      stdin.flush();
      published();
    } finally {
      writeLock.unlock();
    }
  }

  /** Sends two messages, in order, in one write if they fit. */
  boolean trySend(int type, long id, Buf payload, int type2, long id2, Buf payload2) {
    writeLock.lock();
    try {
      write(type, id, payload);
      write(type2, id2, payload2);
      stdin.flush();
      published();
      return true;
    } catch (IOException e) {
      return false;
    } finally {
      writeLock.unlock();
    }
  }

  /** Writes a message to the buffered stdin. Holds writeLock. */
  private void write(int type, long id, Buf payload) throws IOException {
    header.size = 0;
    header.writeInt(0).writeByte(type).writeVarLong(id);
    int len = header.size - 4 + (payload == null ? 0 : payload.size);
    header.bytes[0] = (byte) (len >>> 24);
    header.bytes[1] = (byte) (len >>> 16);
    header.bytes[2] = (byte) (len >>> 8);
    header.bytes[3] = (byte) len;
    stdin.write(header.bytes, 0, header.size);
    if (payload != null) {
      stdin.write(payload.bytes, 0, payload.size);
    }
    sent += 4 + len;
  }

  /** Tells the child, through its ring, how many bytes were written to it ({@link Ring#sent}). Holds writeLock. */
  private void published() {
    if (ring != null) {
      ringLock.lock();
      try {
        if (!ringReleased) {
          ring.sent(sent);
        }
      } finally {
        ringLock.unlock();
      }
    }
  }

  /**
   * Keeps the parent's threads off the ring once the reader has handed it back for another child
   * ({@link #ringReleased}): a reply put in the mailbox, or a count of bytes sent, written a moment
   * late by a thread that served this child, would otherwise land in the next child's ring (a
   * caller there spinning for a reply that is not its own, or waiting for bytes it was never sent).
   */
  private final ReentrantLock ringLock = new ReentrantLock();
  private boolean ringReleased; // guarded by ringLock

  /**
   * Messages for stdin, collected to be written together: small ones are copied into one buffer,
   * large bodies are written from where they are. Not thread-safe.
   */
  static final class Batch {
    private final Buf small = new Buf(1 << 12);
    private final java.util.ArrayList<Object> parts = new java.util.ArrayList<>(); // Buf bodies, Integer marks in small
    private int start;
    int bytes;

    void clear() {
      small.size = 0;
      parts.clear();
      start = 0;
      bytes = 0;
    }

    boolean isEmpty() {
      return bytes == 0;
    }

    /** Appends one message: {@code int length, type, id, prefix, body}. */
    void add(int type, long id, int prefix, Buf body) {
      int bodyLength = body == null ? 0 : body.size;
      int lenPos = small.size;
      small.writeInt(0).writeByte(type).writeVarLong(id);
      if (prefix >= 0) {
        small.writeVarLong(prefix);
      }
      int len = small.size - lenPos - 4 + bodyLength;
      small.bytes[lenPos] = (byte) (len >>> 24);
      small.bytes[lenPos + 1] = (byte) (len >>> 16);
      small.bytes[lenPos + 2] = (byte) (len >>> 8);
      small.bytes[lenPos + 3] = (byte) len;
      if (bodyLength > 0) {
        if (bodyLength <= 1024) {
          small.writeBytes(body.bytes, 0, bodyLength);
        } else {
          parts.add(small.size - start);
          start = small.size;
          parts.add(body);
        }
      }
      bytes += len + 4;
    }
  }

  /**
   * Writes a batch of messages in one go.
   *
   * @throws IOException if the child is gone
   */
  void sendBatch(Batch batch) throws IOException {
    writeLock.lock();
    try {
      int at = 0;
      for (Object part : batch.parts) {
        if (part instanceof Integer n) {
          stdin.write(batch.small.bytes, at, n);
          at += n;
        } else {
          Buf body = (Buf) part;
          stdin.write(body.bytes, 0, body.size);
        }
      }
      stdin.write(batch.small.bytes, at, batch.small.size - at);
      stdin.flush();
      sent += batch.bytes;
      published();
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Answers request {@code req}: in the ring's mailbox if the child's caller spins for it there
   * ({@link ParentCalls}), else down the pipe. Nothing is lost if the child is gone.
   *
   * @return true if it went to the mailbox
   */
  boolean reply(long req, Buf payload) {
    if (ring != null) {
      ringLock.lock();
      try {
        if (!ringReleased && ring.deliver(req, payload)) {
          return true;
        }
      } finally {
        ringLock.unlock();
      }
    }
    trySend(Msg.REPLY, req, payload);
    return false;
  }

  /** As {@link #send}; returns false instead of throwing if the child is gone. */
  boolean trySend(int type, long id, Buf payload) {
    try {
      send(type, id, payload);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Closes the child's stdin: it halts once it has read what was sent. */
  void closeInput() {
    writeLock.lock();
    try {
      stdin.close();
    } catch (IOException e) {
      // already gone
    } finally {
      writeLock.unlock();
    }
  }

  // Signals go through the ProcessHandle: Process.destroy() would also close our ends of the
  // pipes, losing the child's last output and making it see the end of stdin before the signal.

  /** SIGTERM. */
  void terminate() {
    process.toHandle().destroy();
  }

  /** SIGKILL. */
  void kill() {
    process.toHandle().destroyForcibly();
  }

  /** Keeps the last bytes the child wrote outside the channel, for error messages. */
  private void keep(byte[] b, int off, int len) {
    tailLock.lock();
    try {
      if (len > TAIL) { // only the last TAIL bytes can stay
        tailBytes += len - TAIL;
        off += len - TAIL;
        len = TAIL;
      }
      while (len > 0) {
        int at = (int) (tailBytes % TAIL);
        int n = Math.min(len, TAIL - at);
        System.arraycopy(b, off, tail, at, n);
        tailBytes += n;
        off += n;
        len -= n;
      }
    } finally {
      tailLock.unlock();
    }
  }

  /**
   * The last few kilobytes the child wrote outside the channel: its stderr, and raw bytes on its
   * stdout (where the JVM itself reports, for instance, "Terminating due to
   * java.lang.OutOfMemoryError").
   */
  String outputTail() {
    tailLock.lock();
    try {
      int n = (int) Math.min(tailBytes, TAIL);
      int start = (int) (tailBytes % TAIL);
      byte[] out = new byte[n];
      if (tailBytes <= TAIL) {
        System.arraycopy(tail, 0, out, 0, n);
      } else {
        System.arraycopy(tail, start, out, 0, TAIL - start);
        System.arraycopy(tail, 0, out, TAIL - start, start);
      }
      return new String(out, Charset.defaultCharset());
    } finally {
      tailLock.unlock();
    }
  }

  // ------------------------------------------------------------------ threads

  private void pumpStderr() {
    byte[] buf = new byte[4096];
    try (InputStream err = process.getErrorStream()) {
      int n;
      while ((n = err.read(buf)) > 0) {
        PrintStream target = System.err;
        target.write(buf, 0, n);
        target.flush();
        keep(buf, 0, n);
      }
    } catch (IOException e) {
      // the child is gone
    } finally {
      stderrDone.countDown();
    }
  }

  /**
   * Reads the child's messages until its stdout ends: from the ring while it has any, from the pipe
   * (frames, raw output, doorbells) when it has none. Before a batch of records is handled, the
   * bytes waiting in the pipe are: so raw output the child wrote before a message (straight to file
   * descriptor 1) is passed on before the message is handled, as when both came down the pipe. At
   * the end the ring is drained once more, so what the child published before it died is not lost.
   */
  private void readLoop() {
    Reassembler sink = new Reassembler();
    Frames.Parser parser = new Frames.Parser(sink);
    Ring ring = mappedRing();
    RingReader fromRing = ring == null ? null : new RingReader();
    byte[] buf = new byte[1 << 16];
    boolean trusted = true;
    try (InputStream out = process.getInputStream()) {
      while (true) {
        if (ring != null) {
          long head = ring.published();
          if (!ring.drained(head)) {
            for (int waiting; (waiting = out.available()) > 0; ) {
              parser.feed(buf, 0, out.read(buf, 0, Math.min(waiting, buf.length)));
            }
            // The pipe is empty, and a doorbell is written whole: what looks like the start of a
            // frame is raw output (a zero byte, say), not to be held back behind these records.
            parser.end();
            ring.drain(fromRing, head);
            continue;
          }
          if (awaitRecords(ring) || !ring.sleep()) {
            continue;
          }
        }
        int n = out.read(buf);
        if (n <= 0) {
          break;
        }
        if (ring != null) {
          ring.awake();
        }
        parser.feed(buf, 0, n);
      }
    } catch (IOException e) {
      // the child is gone
    } catch (RuntimeException | Error e) {
      // A handler failed: the channel cannot be trusted any more.
      trusted = false;
      System.err.println("multiproc: the channel of " + name + " failed; stopping the child: " + e);
      e.printStackTrace();
      kill();
    }
    parser.end();
    if (ring != null && trusted) {
      try {
        ring.drain(fromRing, ring.published()); // what the child published last
      } catch (RuntimeException | Error e) {
        System.err.println("multiproc: the last messages of " + name + " could not be handled: " + e);
      }
    }
    int code = reap();
    if (ring != null && trusted) {
      heldAtDeath = ring.holdings(); // before the ring goes to another child
    }
    if (ring != null) {
      ringLock.lock();
      try {
        ringReleased = true; // from now on no thread of ours touches it
      } finally {
        ringLock.unlock();
      }
    }
    if (ring != null && !process.isAlive()) {
      backend.giveBackRing(ring); // the child is gone: nothing writes the ring any more
    } else if (this.ring != null) {
      this.ring.deleteFile(); // unmapped, or its child would not die: it serves no one else
    }
    if (trainer != null) {
      trainer.finish();
      backend.archiveTrained();
    }
    try {
      stderrDone.await(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    exitCode = code;
    Events.ChildExit exit = Events.recording() ? new Events.ChildExit() : null;
    if (exit != null && exit.shouldCommit()) {
      exit.worker = name;
      exit.pid = process.pid();
      exit.exitCode = code;
      exit.commit();
    }
    readyOrGone.countDown();
    backend.hub().childDied(this);
    Handler h;
    adoption.lock();
    try {
      endReported = true;
      h = handler;
    } finally {
      adoption.unlock();
    }
    try {
      h.exited(this, code, outputTail());
    } finally {
      gone.countDown();
      backend.childGone(this);
    }
  }

  /** Waits for the process to end after its stdout closed; kills it if it lingers. */
  private int reap() {
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        kill();
        process.waitFor();
      }
    } catch (InterruptedException e) {
      kill();
      Thread.currentThread().interrupt();
      try {
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException again) {
        Thread.currentThread().interrupt();
      }
    }
    return process.isAlive() ? -9 : exitCode(process.exitValue());
  }

  /** Java reports death by signal N as 128 + N; Python's convention is -N. */
  static int exitCode(int raw) {
    return raw > 128 && raw <= 128 + 64 ? -(raw - 128) : raw;
  }

  /**
   * The child's ring, mapped here (on the reader thread, not before the launch: a cold JVM's first
   * {@code FileChannel.map} costs 30-50 ms, which then overlaps the child's own start); null if it
   * has none, or if it cannot be mapped, in which case the child, whose messages would be lost, is
   * stopped (a pool replaces it; a worker fails with its exit).
   */
  private Ring mappedRing() {
    if (ring == null) {
      return null;
    }
    try {
      ring.map();
      return ring;
    } catch (IOException | RuntimeException e) {
      System.err.println("multiproc: cannot map the shared memory of " + name + "; stopping the child: " + e);
      kill();
      return null;
    }
  }

  /** Drains of the reader left to go without spinning after a spin that saw nothing; racy by design (a hint). */
  private int readerSkip;

  /**
   * Before the reader sleeps in {@code read()}, waits a moment for the child's next record, while a
   * thread here is blocked waiting for what a child sends ({@link ParentWaits}: a queue get, a pipe
   * recv, an event's await; the child may be about to answer it): the child
   * then writes no doorbell, and the reader is not woken by one (a pipe wake-up is 10-15
   * microseconds on a 2-core machine). Spins {@link #READER_SPIN_NANOS} at most ({@link
   * Ring#pause}); not again for {@code 16} drains after a spin that saw nothing. Reader thread.
   *
   * @return true if a record came
   */
  private boolean awaitRecords(Ring ring) {
    if (readerSkip > 0) {
      readerSkip--;
      return false;
    }
    if (!Ring.MAY_SPIN || !ParentWaits.any()) {
      return false;
    }
    long start = System.nanoTime();
    while (ring.drained(ring.published())) {
      long spent = System.nanoTime() - start;
      if (spent > READER_SPIN_NANOS) {
        readerSkip = 16;
        return false;
      }
      Ring.pause(spent);
    }
    return true;
  }

  /** How long the reader spins for a record at most; see {@link #awaitRecords}. */
  static final long READER_SPIN_NANOS = 50_000;

  /** Passes the ring's records on as the pipe's frames are: a message's first piece from a copy, the rest straight into it. */
  private final class RingReader implements Ring.Reader {
    private final Reassembler sink = new Reassembler();
    private byte[] scratch = new byte[1 << 12];

    @Override
    public void record(Ring from, int flags, int length) {
      if ((flags & Frames.FIRST) == 0) {
        sink.rest(flags, from, length);
        return;
      }
      if (scratch.length < length) {
        scratch = new byte[Math.max(length, scratch.length * 2)];
      }
      from.copy(scratch, 0, length);
      sink.frame(flags, scratch, 0, length);
    }
  }

  /** Joins fragments into messages and dispatches them. */
  private final class Reassembler implements Frames.Sink {
    private byte[] partial;
    private int filled;
    /** For a queue put in pieces: its type and queue; {@code partial} is then the item alone. */
    private int putType;
    private long putQueue;
    /** Whether {@code partial} is the bytes of a {@code byte[]} item, without its tag and length. */
    private boolean rawItem;

    @Override
    public void raw(byte[] b, int off, int len) {
      PrintStream target = System.out;
      target.write(b, off, len);
      target.flush();
      keep(b, off, len);
    }

    @Override
    public void frame(int flags, byte[] b, int off, int len) {
      if ((flags & Frames.FIRST) != 0) {
        if ((flags & Frames.LAST) != 0) {
          partial = null;
          dispatch(new Buf.In(b, off, len));
          return;
        }
        Buf.In head = new Buf.In(b, off, len); // the first piece of many starts with the total length
        int total = (int) head.readVarLong();
        int start = head.pos;
        putType = head.readByte();
        rawItem = false;
        if (putType == Msg.QUEUE_PUT || putType == Msg.QUEUE_PUT_CREDITED) {
          // A large queue item: gathered straight into an array of its own, which the queue keeps;
          // a byte[] item's bytes alone, the array a consumer here will be handed (QueueItem)
          head.readVarLong();
          putQueue = head.readVarLong();
          total -= head.pos - start;
          start = head.pos;
          if (head.remaining() > 0 && (head.bytes[head.pos] & 0xFF) == Codec.BYTES) {
            head.readByte();
            int n = (int) head.readVarLong();
            if (n == total - (head.pos - start)) {
              rawItem = true;
              total = n;
              start = head.pos;
            } else {
              head.pos = start;
            }
          }
        } else {
          putType = 0;
        }
        partial = new byte[total];
        filled = 0;
        off = start;
        len = head.end - start;
      }
      if (partial == null || filled + len > partial.length) {
        throw new IllegalStateException("a message in pieces does not add up");
      }
      System.arraycopy(b, off, partial, filled, len);
      filled += len;
      if ((flags & Frames.LAST) != 0) {
        finish();
      }
    }

    /** A piece after the first, copied from the ring straight into the message. */
    void rest(int flags, Ring from, int len) {
      if (partial == null || filled + len > partial.length) {
        throw new IllegalStateException("a message in pieces does not add up");
      }
      from.copy(partial, filled, len);
      filled += len;
      if ((flags & Frames.LAST) != 0) {
        finish();
      }
    }

    private void finish() {
      byte[] whole = partial;
      partial = null;
      if (filled != whole.length) {
        throw new IllegalStateException("a message in pieces ended short");
      }
      if (putType != 0) {
        backend.hub().put(Child.this, putType, putQueue, rawItem ? new QueueItem(whole) : whole);
      } else {
        dispatch(new Buf.In(whole));
      }
    }

    private void dispatch(Buf.In m) {
      int type = m.readByte();
      long id = m.readVarLong();
      switch (type) {
        case Msg.DOORBELL -> {
          // the child published records while we slept: the loop drains the ring next
        }
        case Msg.HELLO -> {
          ready = true;
          readyOrGone.countDown();
        }
        case Msg.OUT -> {
          PrintStream target = System.out;
          target.write(m.bytes, m.pos, m.remaining());
          target.flush();
        }
        case Msg.ERR -> {
          PrintStream target = System.err;
          target.write(m.bytes, m.pos, m.remaining());
          target.flush();
        }
        default -> {
          if (!backend.hub().handle(Child.this, type, id, m)) {
            handler.message(Child.this, type, id, m);
          }
        }
      }
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + pid() + ")";
  }
}
