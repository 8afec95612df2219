package dev.multiproc.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Shared memory for the process backend's {@code Value}s and {@code Lock}s: a file under
 * {@code /dev/shm} (else the temporary directory) that the parent and its children map, one slot
 * per object, each a cache line of its own holding a few {@code long} words (a value uses one, a
 * {@link SlabLock} two), read and changed with a {@link VarHandle} view ({@code getVolatile},
 * {@code setVolatile}, {@code getAndAdd}, {@code compareAndSet}): the CPU's atomics, coherent across
 * the processes that map the page, so a child's {@code addAndGet} or uncontended {@code acquire}
 * asks no one, as Python's {@code Value} and {@code Lock} do. The parent hands slots out and takes
 * them back when the hub lets go of their object ({@link HubSync#forget}); a slot is zeroed before
 * it is handed out again. The file is deleted when the backend closes; files left by a parent that
 * was killed are deleted by the next slab made on this machine (their name carries the parent's
 * pid).
 */
final class ValueSlab {

  private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final String PREFIX = "multiproc-values-";
  /** One slot per cache line, so that two busy values do not slow each other. */
  private static final int STRIDE = 64;
  /** The words a slot holds. */
  static final int WORDS = STRIDE / Long.BYTES;
  /** Slots per slab; more live values and locks fall back to the hub (a round trip per call). */
  static final int SLOTS = 4096;
  /** The slabs this JVM (a child) mapped, by path. */
  private static final Map<String, ByteBuffer> MAPPED = new ConcurrentHashMap<>();

  final String path;
  final ByteBuffer buffer;
  private final ReentrantLock lock = new ReentrantLock();
  private final BitSet used = new BitSet(SLOTS); // guarded by lock

  private ValueSlab(Path path, ByteBuffer buffer) {
    this.path = path.toString();
    this.buffer = buffer;
  }

  /** @return a new slab, or null if no file could be made and mapped (said at DEBUG) */
  static ValueSlab create() {
    try {
      SharedFile f = SharedFile.create(PREFIX, (long) SLOTS * STRIDE);
      f.path().toFile().deleteOnExit();
      return new ValueSlab(f.path(), f.buffer());
    } catch (IOException e) {
      ProcessLog.LOG.log(Level.DEBUG, () -> "no shared memory for the process backend's Values and Locks (" + e
          + "): they are served by the parent, a round trip per call");
      return null;
    }
  }

  /** @return a free slot, its first word set to {@code initial} and the others to 0, or -1 if every slot is taken */
  int allocate(long initial) {
    lock.lock();
    try {
      int slot = used.nextClearBit(0);
      if (slot >= SLOTS) {
        return -1;
      }
      used.set(slot);
      for (int word = 1; word < WORDS; word++) {
        set(buffer, slot, word, 0);
      }
      set(buffer, slot, initial);
      return slot;
    } finally {
      lock.unlock();
    }
  }

  /** The value in {@code slot} is gone: its slot may be handed out again. */
  void free(int slot) {
    lock.lock();
    try {
      used.clear(slot);
    } finally {
      lock.unlock();
    }
  }

  /** Deletes the file (the mapping stays valid in every process that has it). */
  void delete() {
    try {
      Files.deleteIfExists(Path.of(path));
    } catch (IOException e) {
      ProcessLog.LOG.log(Level.DEBUG, () -> "could not delete " + path + ": " + e);
    }
  }

  /**
   * @return the slab at {@code path}, mapped in this JVM once
   * @throws UncheckedIOException if it cannot be (the parent is gone and deleted it)
   */
  static ByteBuffer open(String path) {
    return MAPPED.computeIfAbsent(path, p -> {
      try {
        return SharedFile.map(Path.of(p), (long) SLOTS * STRIDE);
      } catch (IOException e) {
        throw new UncheckedIOException("the shared memory of a Value or Lock (" + p + ") cannot be mapped in this process: "
            + e.getMessage() + ". Its process backend is closed, or the file was removed.", e);
      }
    });
  }

  static long get(ByteBuffer b, int slot) {
    return (long) LONGS.getVolatile(b, slot * STRIDE);
  }

  /** @return word {@code word} (0 to {@link #WORDS} - 1) of {@code slot} */
  static long get(ByteBuffer b, int slot, int word) {
    return (long) LONGS.getVolatile(b, slot * STRIDE + word * Long.BYTES);
  }

  static void set(ByteBuffer b, int slot, int word, long v) {
    LONGS.setVolatile(b, slot * STRIDE + word * Long.BYTES, v);
  }

  static long getAndAdd(ByteBuffer b, int slot, int word, long delta) {
    return (long) LONGS.getAndAdd(b, slot * STRIDE + word * Long.BYTES, delta);
  }

  static boolean compareAndSet(ByteBuffer b, int slot, int word, long expected, long v) {
    return LONGS.compareAndSet(b, slot * STRIDE + word * Long.BYTES, expected, v);
  }

  static void set(ByteBuffer b, int slot, long v) {
    LONGS.setVolatile(b, slot * STRIDE, v);
  }

  static long getAndAdd(ByteBuffer b, int slot, long delta) {
    return (long) LONGS.getAndAdd(b, slot * STRIDE, delta);
  }

  static boolean compareAndSet(ByteBuffer b, int slot, long expected, long v) {
    return LONGS.compareAndSet(b, slot * STRIDE, expected, v);
  }
}
