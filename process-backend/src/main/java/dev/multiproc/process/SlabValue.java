package dev.multiproc.process;

import dev.multiproc.Value;
import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;

/**
 * A {@code Value} of the process backend in shared memory ({@link ValueSlab}): the same handle in
 * the parent and, read back from the wire, in a child, where it maps the slab once; every call is
 * one atomic instruction on the mapped page, with no round trip to the parent. Its slot stays
 * the value's while the hub keeps the value (a handle in the parent, a proxy in a live child —
 * attached as any proxy, {@link ProxyRefs} — or a handle inside a queue item).
 */
final class SlabValue implements Value, Serializable {

  @Serial private static final long serialVersionUID = 1L;

  private final long backendId;
  private final long id;
  private final String path;
  private final int slot;
  private final transient ByteBuffer buffer;

  SlabValue(long backendId, long id, String path, int slot, ByteBuffer buffer) {
    this.backendId = backendId;
    this.id = id;
    this.path = path;
    this.slot = slot;
    this.buffer = buffer;
  }

  /** @return the slab's file (for tests) */
  String path() {
    return path;
  }

  @Override
  public long get() {
    return awaitHandled(ValueSlab.get(buffer, slot));
  }

  @Override
  public void set(long value) {
    ValueSlab.set(buffer, slot, value);
  }

  @Override
  public long addAndGet(long delta) {
    return awaitHandled(ValueSlab.getAndAdd(buffer, slot, delta) + delta);
  }

  @Override
  public long getAndAdd(long delta) {
    return awaitHandled(ValueSlab.getAndAdd(buffer, slot, delta));
  }

  @Override
  public boolean compareAndSet(long expected, long newValue) {
    boolean done = ValueSlab.compareAndSet(buffer, slot, expected, newValue);
    awaitHandled(0);
    return done;
  }

  /**
   * In a child, returns once it has handled what the parent wrote to it before the write this read
   * saw, as a volatile read of the parent's write would ({@link ChildChannel#awaitHandled}).
   */
  private static long awaitHandled(long read) {
    ChildChannel c = ChildChannel.current;
    if (c != null) {
      c.awaitHandled();
    }
    return read;
  }

  @Serial
  private Object writeReplace() {
    Hub.pinInQueueItem(backendId, id);
    return new Ref(backendId, id, path, slot);
  }

  /** What travels: the slab's path and the slot. A class, not a record, as {@link QueueRef} says. */
  static final class Ref implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final long backendId;
    private final long id;
    private final String path;
    private final int slot;

    Ref(long backendId, long id, String path, int slot) {
      this.backendId = backendId;
      this.id = id;
      this.path = path;
      this.slot = slot;
    }

    long backendId() {
      return backendId;
    }

    long id() {
      return id;
    }

    String path() {
      return path;
    }

    int slot() {
      return slot;
    }
    @Serial
    private Object readResolve() throws ObjectStreamException {
      ChildChannel channel = ChildChannel.current;
      if (channel != null) {
        SlabValue v = new SlabValue(backendId, id, path, slot, ValueSlab.open(path));
        channel.refs().created(v, id);
        return v;
      }
      HubSync sync = Hub.sync(backendId);
      Object o = sync == null ? null : sync.slabValue(id);
      if (o == null) {
        throw new InvalidObjectException("Value #" + id + " no longer exists: the process backend that made it is closed,"
            + " or no handle to it was left");
      }
      return o;
    }
  }

  @Override
  public String toString() {
    return "Value#" + id + "{" + get() + "}";
  }
}
