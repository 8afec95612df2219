package dev.multiproc.process;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * The fast lane of a child's messages to its parent: a ring buffer in shared memory (a file under
 * {@code /dev/shm}, else the temporary directory, that both map), one writer (the child's {@link
 * FrameWriter}, under its lock) and one reader (the parent's reader thread for that child).
 *
 * <p>A message is a record, {@code int length, int flags, bytes}, padded to eight bytes; a message
 * longer than {@link #MAX_RECORD} is cut into several, the first starting with the whole length, as
 * the pipe's frames are ({@link Frames}). The writer publishes a record by moving {@code head}, the
 * reader frees it by moving {@code tail}. A send costs a copy and no system call: the pipe carries
 * only a one-frame doorbell, written when the reader said it is about to sleep in {@code read()}
 * ({@code sleepy}; a Dekker handshake with full fences on both sides, so a record is either seen by
 * the reader's last look or rung for). What was published survives the child's death: the reader
 * drains the ring once more when the child's stdout ends, so a {@code put} that returned still
 * reaches its queue.
 *
 * <p>Plain {@link ByteBuffer} reads and writes with {@link VarHandle} fences, not a VarHandle view:
 * a view costs a cold child JVM milliseconds to set up, and a child uses the ring from its first
 * message. A ring outlives its child: the backend hands it, {@linkplain #reset reset}, to the next
 * child it starts, so there are never more rings than children alive at once (Java cannot unmap a
 * file, and the parent's mapping of a ring would otherwise hold its megabyte of shared memory until
 * the collector found it), and deletes the files when it closes; files of a parent that was killed
 * are deleted by the next ring made on this machine ({@link SharedFile}).
 */
final class Ring {

  /** The system property that gives a child the ring's file. */
  static final String PROPERTY = "multiproc.child.ring";

  /** Bytes of messages the ring holds. */
  static final int CAPACITY = 1 << 20;

  /** Bytes a record carries at most; a longer message goes in several. */
  static final int MAX_RECORD = 64 << 10;

  private static final String PREFIX = "multiproc-ring-";
  private static final int HEAD = 0; // the writer's position, on a cache line of its own
  private static final int TAIL = 64; // the reader's
  private static final int SLEEPY = 128; // 1: the reader is about to block in read(); ring the bell
  private static final int SENT = 136; // bytes the parent wrote to the child's stdin so far
  private static final int HANDLED = 144; // bytes of those the child's reader has handled
  private static final int DATA = 192;
  /**
   * After the records: the child's semaphore holdings, {@link #HOLDINGS} entries of a semaphore's
   * id and how many of its permits the child took itself and holds ({@link SlabSemaphore}), which
   * the parent reads when the child is gone. Only the child writes them.
   */
  private static final int HOLDINGS_AT = DATA + CAPACITY;
  /** Semaphores a child can count its own permits of. */
  static final int HOLDINGS = 256;
  /**
   * After the holdings: the mailbox, where the parent can put the reply to the one request a child
   * thread is spinning for, instead of writing it to the child's stdin ({@link #offer}, {@link
   * #deliver}): the state word (one of {@link #spinning}, {@link #delivering}, {@link #delivered}
   * of the request's id, or 0), the reply's length, and its bytes.
   */
  private static final int MAIL_AT = HOLDINGS_AT + HOLDINGS * 16;
  private static final int MAIL_LENGTH = MAIL_AT + 8;
  private static final int MAIL_DATA = MAIL_AT + 64;
  /** The longest reply the mailbox takes; a longer one goes down the pipe. */
  static final int MAIL_CAPACITY = 4096;
  private static final int SIZE = MAIL_DATA + MAIL_CAPACITY;
  private static final int MASK = CAPACITY - 1;
  private static final int RECORD_HEADER = 8;

  /** The mapping; in the parent, made by the reader thread ({@link #map}), off the path that starts the child. */
  private ByteBuffer buffer;
  /** The file, in the parent until the child is gone; null in the child. */
  private final Path file;
  /** The writer's head or the reader's tail: each side keeps its own. */
  private long position;
  /** The writer's last look at the reader's tail. */
  private long tailSeen;
  /** The writer's record being written: where it starts and where the next byte goes. */
  private long recordStart;
  private int recordLength;
  private long cursor;
  /** The writer's doorbell: one frame on the pipe. */
  private final OutputStream bell;
  private final byte[] bellFrame;

  private Ring(ByteBuffer buffer, Path file, OutputStream bell) {
    this.buffer = buffer == null ? null : buffer.order(ByteOrder.nativeOrder());
    this.file = file;
    this.bell = bell;
    if (bell != null) {
      Buf b = new Buf(32);
      Frames.encode(Frames.FIRST | Frames.LAST, new byte[] {(byte) Msg.DOORBELL, 0}, 0, 2, b);
      bellFrame = java.util.Arrays.copyOf(b.bytes, b.size);
    } else {
      bellFrame = null;
    }
  }

  // ------------------------------------------------------------------ making and mapping

  /**
   * Makes a new ring's file for a child about to start; the parent maps it later, on the child's
   * reader thread ({@link #map}): a JVM's first {@code FileChannel.map} costs it 30-50 ms, which
   * then overlaps the child's own start instead of delaying it.
   *
   * @return the ring, or null if no file can be made (said at DEBUG)
   */
  static Ring create() {
    try {
      return new Ring(null, SharedFile.createFile(PREFIX, SIZE), null);
    } catch (IOException e) {
      ProcessLog.LOG.log(Level.DEBUG, () -> "no shared memory for a child's messages (" + e + "): they go through its stdout pipe");
      return null;
    }
  }

  /** Maps a ring {@link #create} made, once; the reader thread, before its first look. */
  void map() throws IOException {
    if (buffer == null) {
      buffer = SharedFile.map(file, SIZE).order(ByteOrder.nativeOrder());
      warmMailbox();
      mapped = true;
    }
  }

  /** Set once {@link #map} made the parent's mapping: from then on {@link #sent} publishes. */
  private volatile boolean mapped;

  // ------------------------------------------------------------------ the other way: what the child has handled

  /**
   * The parent has written {@code total} bytes to the child's stdin so far: published for the
   * child's {@link ChildChannel#awaitHandled}. Under the parent's writer lock; nothing until mapped (the child's
   * hello, read after the mapping, comes before anything is sent to it).
   */
  void sent(long total) {
    if (mapped) {
      VarHandle.releaseFence();
      buffer.putLong(SENT, total);
    }
  }

  /** The child's reader has handled {@code total} bytes of its stdin. Reader thread. */
  void handled(long total) {
    VarHandle.releaseFence();
    buffer.putLong(HANDLED, total);
  }

  /** @return the bytes the parent says it wrote to the child's stdin. Child, any thread. */
  long sent() {
    VarHandle.acquireFence(); // after the caller's volatile read of the word it acts on
    long sent = buffer.getLong(SENT);
    VarHandle.acquireFence();
    return sent;
  }

  /** @return the bytes of its stdin the child's reader has handled. Child, any thread. */
  long handled() {
    long handled = buffer.getLong(HANDLED);
    VarHandle.acquireFence();
    return handled;
  }

  /**
   * Maps the ring the parent made for this child, if it made one.
   *
   * @param bell the pipe to the parent, for the doorbell
   * @return the ring, or null if there is none (the child then writes every message to the pipe)
   */
  static Ring openInChild(OutputStream bell) {
    String path = System.getProperty(PROPERTY);
    return path == null ? null : open(path, bell);
  }

  /** Maps the ring at {@code path} as its writer; null if it cannot be mapped. */
  static Ring open(String path, OutputStream bell) {
    try {
      return new Ring(SharedFile.map(Path.of(path), SIZE), null, bell);
    } catch (IOException | RuntimeException e) {
      return null; // the parent reads the pipe as well: nothing is lost, only speed
    }
  }

  /** The file to hand the child. */
  String path() {
    return file.toString();
  }

  /** Empties the ring for a new child. Only once the child that used it is gone. */
  void reset() {
    if (buffer == null) {
      return; // never mapped, so never written: as new
    }
    position = 0;
    buffer.putLong(HEAD, 0);
    buffer.putLong(TAIL, 0);
    buffer.putInt(SLEEPY, 0);
    buffer.putLong(SENT, 0);
    buffer.putLong(HANDLED, 0);
    for (int at = HOLDINGS_AT; at < SIZE; at += 8) {
      buffer.putLong(at, 0);
    }
    VarHandle.fullFence();
  }

  // ------------------------------------------------------------------ semaphore holdings

  /** The atomics on the holdings and the mailbox, made on first use: a VarHandle view costs a cold JVM milliseconds (see above). */
  private static final class Holdings {
    static final VarHandle LONGS = java.lang.invoke.MethodHandles.byteBufferViewVarHandle(long[].class,
        ByteOrder.nativeOrder());
  }

  /**
   * The child's entry for semaphore {@code id}, claimed if it has none. Child only.
   *
   * @return the entry, or -1 if all are taken
   */
  int holding(long id) {
    for (int i = 0; i < HOLDINGS; i++) {
      long at = HOLDINGS_AT + i * 16L;
      long k = (long) Holdings.LONGS.getVolatile(buffer, (int) at);
      if (k == 0 && Holdings.LONGS.compareAndSet(buffer, (int) at, 0L, id)) {
        return i; // claimed (the child's threads claim with a compare-and-set; the parent never writes)
      }
      if ((long) Holdings.LONGS.getVolatile(buffer, (int) at) == id) {
        return i;
      }
    }
    return -1;
  }

  /** Adds {@code delta} to what entry {@code i} holds. Child only. */
  void addHeld(int i, long delta) {
    Holdings.LONGS.getAndAdd(buffer, HOLDINGS_AT + i * 16 + 8, delta);
  }

  /** Takes one off what entry {@code i} holds, if it holds any. Child only. */
  boolean takeHeld(int i) {
    int at = HOLDINGS_AT + i * 16 + 8;
    while (true) {
      long h = (long) Holdings.LONGS.getVolatile(buffer, at);
      if (h <= 0) {
        return false;
      }
      if (Holdings.LONGS.compareAndSet(buffer, at, h, h - 1)) {
        return true;
      }
    }
  }

  /** @return what entry {@code i} holds. */
  long held(int i) {
    return (long) Holdings.LONGS.getVolatile(buffer, HOLDINGS_AT + i * 16 + 8);
  }

  /**
   * @return the semaphores the child counted permits of, and how many it held: id, count, id,
   *     count... Parent, once the child is gone and before the ring is reset.
   */
  long[] holdings() {
    if (buffer == null) {
      return new long[0];
    }
    long[] out = new long[HOLDINGS * 2];
    int n = 0;
    for (int i = 0; i < HOLDINGS; i++) {
      long id = (long) Holdings.LONGS.getVolatile(buffer, HOLDINGS_AT + i * 16);
      if (id == 0) {
        break;
      }
      out[n++] = id;
      out[n++] = held(i);
    }
    return java.util.Arrays.copyOf(out, n);
  }

  // ------------------------------------------------------------------ waiting on the other side by spinning

  /** Whether a thread may spin for the other side at all: not on one core, where it would only hold it up. */
  static final boolean MAY_SPIN = Runtime.getRuntime().availableProcessors() > 1;

  /**
   * The first part of a spin ({@link ParentCalls#SPIN_NANOS}, {@link Child}'s reader) spent on the
   * core; after it, each look yields the core. While the JVMs still compile (the first ~10,000
   * round trips of a ping-pong, when the parent's compiler thread takes 60-85 µs of CPU per round
   * trip on 2 cores), yielding early lets the compilers run: rounds of 2,000 round trips 97-107 µs
   * on average against 115-126 µs with 20 µs on the core (three runs each).
   */
  static final long BUSY_NANOS = 2_000;

  /** Between two looks of a spin that has gone on {@code spentNanos}: on the core at first, then yielding it. */
  static void pause(long spentNanos) {
    if (spentNanos > BUSY_NANOS) {
      Thread.yield();
    } else {
      Thread.onSpinWait();
    }
  }

  // ------------------------------------------------------------------ the mailbox

  /** Whether this JVM's mailbox atomics are set up ({@link #warmMailbox}). */
  private static volatile boolean mailboxReady;

  /**
   * @return true once {@link #warmMailbox} has run in this JVM: until then a child thread does not
   *     spin in the mailbox (setting its atomics up would cost the call it makes 2-4 ms)
   */
  static boolean mailboxReady() {
    return mailboxReady;
  }

  /**
   * Sets up the mailbox's atomics on the calling thread (a cold JVM's first VarHandle view and its
   * access modes cost it 2-4 ms): a spare while it waits, a child's thread of its own after its
   * first request, the parent's reader when it maps a ring.
   */
  static void warmMailbox() {
    if (!mailboxReady) {
      ByteBuffer b = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
      Holdings.LONGS.compareAndSet(b, MAIL_AT % 64, 0L, 1L);
      Holdings.LONGS.getAcquire(b, MAIL_AT % 64);
      Holdings.LONGS.setRelease(b, MAIL_AT % 64, 0L);
      mailboxReady = true;
    }
  }

  private static long spinning(long id) {
    return id << 2 | 1;
  }

  private static long delivering(long id) {
    return id << 2 | 2;
  }

  private static long delivered(long id) {
    return id << 2 | 3;
  }

  /**
   * A child thread is about to send request {@code id} and will spin for its reply here. Child.
   *
   * @return false if another thread of the child spins already (this one then waits as usual)
   */
  boolean offer(long id) {
    return Holdings.LONGS.compareAndSet(buffer, MAIL_AT, 0L, spinning(id));
  }

  /**
   * The reply to request {@code id}, if the parent put it in the mailbox (the mailbox is then free
   * again); null if not, yet. Child, the thread that {@linkplain #offer offered}.
   */
  byte[] collect(long id) {
    long state = (long) Holdings.LONGS.getAcquire(buffer, MAIL_AT);
    if (state != delivered(id)) {
      return null;
    }
    byte[] reply = new byte[buffer.getInt(MAIL_LENGTH)];
    buffer.get(MAIL_DATA, reply, 0, reply.length);
    Holdings.LONGS.setRelease(buffer, MAIL_AT, 0L);
    return reply;
  }

  /**
   * Stops waiting in the mailbox for request {@code id}'s reply. Child, the thread that offered.
   *
   * @return false if the parent is putting the reply there already: {@link #collect} it
   */
  boolean withdraw(long id) {
    return Holdings.LONGS.compareAndSet(buffer, MAIL_AT, spinning(id), 0L);
  }

  /**
   * @return true if the parent is putting the reply to request {@code id} in the mailbox, or has:
   *     {@link #collect} it. Child, the thread that offered.
   */
  boolean replyComing(long id) {
    long state = (long) Holdings.LONGS.getAcquire(buffer, MAIL_AT);
    return state == delivering(id) || state == delivered(id);
  }

  /**
   * Puts the reply to request {@code id} in the mailbox, if a child thread is spinning for it
   * there; any thread of the parent, never after the ring was handed to another child
   * ({@code Child.reply}). Request ids are unique to a child (they start at random), so a late
   * reply to a child that died is not taken for another's either.
   *
   * @param reply the reply's payload ({@link Msg#REPLY} without its type and id)
   * @return false if it must go down the pipe
   */
  boolean deliver(long id, Buf reply) {
    if (!mapped || reply.size > MAIL_CAPACITY
        || !Holdings.LONGS.compareAndSet(buffer, MAIL_AT, spinning(id), delivering(id))) {
      return false;
    }
    buffer.put(MAIL_DATA, reply.bytes, 0, reply.size);
    buffer.putInt(MAIL_LENGTH, reply.size);
    Holdings.LONGS.setRelease(buffer, MAIL_AT, delivered(id));
    return true;
  }

  /** Deletes the file (the mapping stays until collected). */
  void deleteFile() {
    if (file != null) {
      SharedFile.deleteQuietly(file);
    }
  }

  // ------------------------------------------------------------------ the writer (the child)

  /**
   * Writes one message, {@code head} then {@code body}, in one record or, if long, several, waiting
   * for room as a full pipe would. Called under the writer's lock.
   *
   * @param bell false to leave the reader asleep: the record waits for the next one that rings, or
   *     for the reader's last drain when the child's output ends
   */
  void write(Buf head, Buf body, boolean bell) {
    int total = head.size + (body == null ? 0 : body.size);
    if (total <= MAX_RECORD) {
      begin(Frames.FIRST | Frames.LAST, total);
      put(head.bytes, 0, head.size);
      if (body != null) {
        put(body.bytes, 0, body.size);
      }
      end(bell);
      return;
    }
    // In pieces, cut from head and body where they are; the first says how long the whole is.
    Buf length = new Buf(16).writeVarLong(total);
    int off = 0;
    while (off < total) {
      int room = off == 0 ? MAX_RECORD - length.size : MAX_RECORD;
      int n = Math.min(room, total - off);
      begin((off == 0 ? Frames.FIRST : 0) | (off + n == total ? Frames.LAST : 0), n + (off == 0 ? length.size : 0));
      if (off == 0) {
        put(length.bytes, 0, length.size);
      }
      int h = Math.max(0, Math.min(head.size, off + n) - off); // head bytes in this piece
      if (h > 0) {
        put(head.bytes, off, h);
      }
      if (n - h > 0) {
        put(body.bytes, off + h - head.size, n - h);
      }
      end(bell);
      off += n;
    }
  }

  /** Starts a record of {@code len} bytes, once the reader has left room for it. */
  private void begin(int flags, int len) {
    long need = RECORD_HEADER + align(len);
    int spins = 0;
    while (position + need - tailSeen > CAPACITY) {
      tailSeen = buffer.getLong(TAIL);
      VarHandle.acquireFence();
      if (position + need - tailSeen <= CAPACITY) {
        break;
      }
      // Full: the reader is draining (or its doorbell is on the way), as it would drain a full pipe.
      if (++spins < 100) {
        Thread.onSpinWait();
      } else if (spins < 120) {
        Thread.yield();
      } else {
        LockSupport.parkNanos(roomWaitNanos(spins - 120));
      }
    }
    int at = index(position);
    buffer.putInt(at, len);
    buffer.putInt(at + 4, flags);
    recordStart = position;
    recordLength = len;
    cursor = position + RECORD_HEADER;
  }

  /**
   * How long a writer waiting for room parks its {@code parks}-th time: 20 µs at first (a reader
   * that is running frees room within microseconds), twice as long every 32 parks after that, at
   * most 1 ms. A parent that is not reading for a while (paused in a debugger, stopped, or in a long
   * collection) then costs each writing child a wake-up a millisecond: a child putting 1 MiB
   * items while its parent was stopped for 5 s used 70 ms of CPU, against 950 ms with 20 µs parks
   * throughout (benchmarks/RESULTS.md).
   */
  static long roomWaitNanos(int parks) {
    return Math.min(MAX_ROOM_WAIT_NANOS, 20_000L << Math.min(parks / 32, 6));
  }

  static final long MAX_ROOM_WAIT_NANOS = 1_000_000;

  private void put(byte[] b, int off, int len) {
    int at = (int) (cursor & MASK);
    int first = Math.min(len, CAPACITY - at);
    buffer.put(DATA + at, b, off, first);
    if (first < len) {
      buffer.put(DATA, b, off + first, len - first);
    }
    cursor += len;
  }

  /** Publishes the record; rings the bell if asked to and the reader is about to sleep. */
  private void end(boolean bell) {
    position = recordStart + RECORD_HEADER + align(recordLength);
    VarHandle.releaseFence();
    buffer.putLong(HEAD, position);
    VarHandle.fullFence();
    if (bell && buffer.getInt(SLEEPY) == 1) {
      buffer.putInt(SLEEPY, 0); // one bell per sleep: the reader drains everything when it wakes
      try {
        this.bell.write(bellFrame);
      } catch (IOException e) {
        Runtime.getRuntime().halt(0); // the parent is gone: nobody reads us any more
      }
    }
  }

  /** @return where the writer's records end so far. Under the writer's lock. */
  long written() {
    return position;
  }

  /**
   * @return true if the reader has read the records up to {@code mark} (a {@link #written()}), each
   *     handled before it moved past it ({@link #drain}). Any thread.
   */
  boolean readUpTo(long mark) {
    long tail = buffer.getLong(TAIL);
    VarHandle.acquireFence();
    return tail >= mark;
  }

  // ------------------------------------------------------------------ the reader (the parent)

  /** Receives the records of the ring, in order. */
  interface Reader {
    /**
     * One record: read its {@code length} bytes with {@link #copy} before returning.
     *
     * @param flags {@link Frames#FIRST} and/or {@link Frames#LAST}
     */
    void record(Ring ring, int flags, int length);
  }

  /** @return where the writer has published up to: pass it to {@link #drain} */
  long published() {
    long head = buffer.getLong(HEAD);
    VarHandle.acquireFence();
    return head;
  }

  /** @return whether every record up to {@code head} was read */
  boolean drained(long head) {
    return position == head;
  }

  /** Hands the records up to {@code head} to {@code reader}, in order, freeing each as it returns. */
  void drain(Reader reader, long head) {
    while (position != head) {
      int at = index(position);
      int len = buffer.getInt(at);
      int flags = buffer.getInt(at + 4);
      cursor = position + RECORD_HEADER;
      reader.record(this, flags, len);
      position += RECORD_HEADER + align(len);
      VarHandle.releaseFence();
      buffer.putLong(TAIL, position);
    }
  }

  /** Copies the next {@code len} bytes of the record being read into {@code dst}. */
  void copy(byte[] dst, int off, int len) {
    int at = (int) (cursor & MASK);
    int first = Math.min(len, CAPACITY - at);
    buffer.get(DATA + at, dst, off, first);
    if (first < len) {
      buffer.get(DATA, dst, off + first, len - first);
    }
    cursor += len;
  }

  /**
   * The reader is about to block reading the pipe: from now on the writer rings the bell.
   *
   * @return false if a record came in meanwhile: drain again instead of blocking
   */
  boolean sleep() {
    buffer.putInt(SLEEPY, 1);
    VarHandle.fullFence();
    if (buffer.getLong(HEAD) != position) {
      buffer.putInt(SLEEPY, 0);
      return false;
    }
    return true;
  }

  /** The reader woke up: no bells needed until it sleeps again. */
  void awake() {
    buffer.putInt(SLEEPY, 0);
  }

  private static int index(long position) {
    return DATA + (int) (position & MASK);
  }

  private static long align(int len) {
    return (len + 7) & ~7L;
  }
}
