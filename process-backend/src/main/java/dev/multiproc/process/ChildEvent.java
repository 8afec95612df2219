package dev.multiproc.process;

import dev.multiproc.Event;
import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An event as a child process sees it: a proxy for the event in the parent. {@code set()} and
 * {@code clear()} are one-way messages, applied in order with the child's others. With a copy of
 * the flag in shared memory ({@link HubSync#eventMirror}) and a ring to the parent,
 * {@code isSet()}, and {@code await()} on a set event, read the copy instead of asking, and return
 * once this child has handled every message the parent wrote to it before ({@link
 * ChildChannel#awaitHandled}: a unit cancelled before the event was set is never started after it
 * is seen set); until
 * the parent has read this child's own last {@code set()} or {@code clear()} of the event, they
 * answer with what it wrote ({@link Written}), as a thread sees its own writes first.
 */
final class ChildEvent implements Event, Serializable {

  @Serial private static final long serialVersionUID = 1L;

  private final long backendId;
  private final long id;
  private final String mirrorPath;
  private final int mirrorSlot;
  /** The slab with the flag's copy, or null: then every {@code isSet()} asks the parent. */
  private final transient ByteBuffer mirror;
  private final transient Written written;

  ChildEvent(long backendId, long id, String mirrorPath, int mirrorSlot) {
    this.backendId = backendId;
    this.id = id;
    this.mirrorPath = mirrorPath;
    this.mirrorSlot = mirrorSlot;
    ChildChannel channel = ChildChannel.current;
    boolean fast = mirrorPath != null && channel.hasRing();
    this.mirror = fast ? ValueSlab.open(mirrorPath) : null;
    this.written = fast ? channel.eventWritten(id) : null;
  }

  /**
   * This child's last write of one event's flag, and where it ends on the ring: the mark shifted
   * left by one, the flag in the lowest bit; 0 if none. A later write (a larger mark) replaces it.
   */
  static final class Written {
    private final AtomicLong last = new AtomicLong();

    void wrote(long mark, boolean set) {
      long next = mark << 1 | (set ? 1 : 0);
      for (long cur = last.get(); (cur >>> 1) < mark && !last.compareAndSet(cur, next); cur = last.get()) {
        // another thread wrote meanwhile: keep the later write
      }
    }

    long last() {
      return last.get();
    }
  }

  @Override
  public void set() {
    write(Msg.EVENT_SET, true);
  }

  @Override
  public void clear() {
    write(Msg.EVENT_CLEAR, false);
  }

  private void write(int type, boolean set) {
    long mark = ChildChannel.current.sendMarked(type, new Buf(16).writeVarLong(id));
    if (written != null) {
      written.wrote(mark, set);
    }
  }

  @Override
  public boolean isSet() {
    if (mirror != null) {
      ChildChannel c = ChildChannel.current;
      long w = written.last();
      if (w != 0 && !c.readUpTo(w >>> 1)) {
        return (w & 1) != 0; // our own write, which the parent has not applied yet
      }
      boolean set = ValueSlab.get(mirror, mirrorSlot) != 0;
      c.awaitHandled(); // what the parent sent us before it changed the flag comes first
      return set;
    }
    return Hub.check(ChildChannel.current.requestNow(Msg.EVENT_OP, op(Msg.OP_IS_SET, Msg.encodeWait(0)))).status
        == Msg.R_TRUE;
  }

  @Override
  public void await() throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (mirror != null && isSet()) {
      return;
    }
    Hub.check(ChildChannel.current.request(Msg.EVENT_OP, op(Msg.OP_AWAIT, Msg.WAIT_FOREVER)));
  }

  @Override
  public boolean await(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (mirror != null && isSet()) {
      return true;
    }
    return Hub.check(ChildChannel.current.request(Msg.EVENT_OP, op(Msg.OP_AWAIT, Msg.encodeWait(timeout.toNanos()))))
        .status == Msg.R_TRUE;
  }

  private Buf op(int op, long wait) {
    return new Buf(16).writeByte(op).writeVarLong(id).writeVarLong(wait);
  }

  @Serial
  private Object writeReplace() {
    if (Codec.inQueueItem()) {
      ChildChannel.current.refs().pin(id);
    }
    return new EventRef(backendId, id, mirrorPath, mirrorSlot);
  }

  @Override
  public String toString() {
    return "Event#" + id + " (proxy in child " + ProcessHandle.current().pid() + ")";
  }
}
