package dev.multiproc.process;

import dev.multiproc.Queue;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A queue as a child process sees it: a proxy whose every call goes over the child's pipe to the
 * queue in the parent. A put on an unbounded queue needs no answer (it returns once written to the
 * pipe; the parent applies puts in order), and neither does a put on a bounded queue while the
 * child holds credits for it: slots the parent reserved for this child's puts, granted with the
 * answer to a put that asked ({@link Hub#window}), given back when the parent asks for them (a put
 * elsewhere found the queue full) or when the child dies. A get takes an item the parent lent
 * this child ahead, if it has one ({@link ChildChannel.Lent}, "Lending" in {@link Hub}), without
 * asking. Everything else waits for the parent's reply.
 */
final class ChildQueue<T> implements Queue<T>, Serializable {

  @Serial private static final long serialVersionUID = 1L;

  private final long backendId;
  private final long id;
  private final int capacity;

  ChildQueue(long backendId, long id, int capacity) {
    this.backendId = backendId;
    this.id = id;
    this.capacity = capacity;
  }

  private static ChildChannel channel() {
    return ChildChannel.current;
  }

  @Override
  public void put(T item) throws InterruptedException {
    Objects.requireNonNull(item, "item");
    Buf b = encoded(item);
    if (!putOneWay(b)) {
      Hub.check(channel().request(Msg.QUEUE_OP, putOp(Msg.WAIT_FOREVER, b)));
    }
  }

  @Override
  public boolean put(T item, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(timeout, "timeout");
    Buf b = encoded(item);
    return putOneWay(b)
        || Hub.check(channel().request(Msg.QUEUE_OP, putOp(Msg.encodeWait(timeout.toNanos()), b))).status == Msg.R_TRUE;
  }

  @Override
  public boolean tryPut(T item) {
    Objects.requireNonNull(item, "item");
    Buf b = encoded(item);
    return putOneWay(b)
        || Hub.check(channel().requestNow(Msg.QUEUE_OP, putOp(Msg.encodeWait(0), b))).status == Msg.R_TRUE;
  }

  /** {@code queue, item}: the payload of a one-way put. */
  private Buf encoded(Object item) {
    Buf b = new Buf(32).writeVarLong(id);
    Codec.writeQueueItem(item, b);
    return b;
  }

  /**
   * A put that needs no answer: on an unbounded queue, or paid with a credit (a slot the parent
   * reserved for this child). It returns once the item is written to the pipe; the parent applies
   * a child's puts in the order they were written.
   *
   * @return false if it must ask the parent (bounded, no credit left)
   */
  private boolean putOneWay(Buf encoded) {
    if (capacity == 0) {
      channel().send(Msg.QUEUE_PUT, 0, encoded);
      return true;
    }
    if (channel().spendCredit(id)) {
      channel().send(Msg.QUEUE_PUT_CREDITED, 0, encoded);
      return true;
    }
    return false;
  }

  /** A put request: {@code op, queue, wait, item}, from the one-way payload {@code queue, item}. */
  private Buf putOp(long wait, Buf encoded) {
    Buf b = new Buf(encoded.size + 16).writeByte(Msg.OP_PUT).writeVarLong(id).writeVarLong(wait);
    return b.writeBytes(encoded.bytes, idLength(), encoded.size - idLength());
  }

  private int idLength() {
    return new Buf(10).writeVarLong(id).size;
  }

  // A get takes an item lent to this child if it has one ({@link ChildChannel.Lent}), else asks the
  // parent, whose answer may lend more; one get of a queue at a time per child does either.

  @Override
  public T get() throws InterruptedException {
    ChildChannel.Lent lent = channel().lent(id);
    lent.gets.lockInterruptibly();
    try {
      byte[] item = lent.take();
      if (item != null) {
        return decodeLent(item);
      }
      return received(channel().request(Msg.QUEUE_OP, op(Msg.OP_GET, Msg.WAIT_FOREVER))).orElseThrow();
    } finally {
      lent.gets.unlock();
    }
  }

  @Override
  public Optional<T> get(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ChildChannel.Lent lent = channel().lent(id);
    if (!lent.gets.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      return Optional.empty();
    }
    try {
      byte[] item = lent.take();
      if (item != null) {
        return Optional.of(decodeLent(item));
      }
      long left = deadline - System.nanoTime();
      return received(channel().request(Msg.QUEUE_OP, op(Msg.OP_GET, Msg.encodeWait(Math.max(left, -1)))));
    } finally {
      lent.gets.unlock();
    }
  }

  /** Python's {@code get_nowait}: empty also while another thread of this child is getting from the queue. */
  @Override
  public Optional<T> tryGet() {
    ChildChannel.Lent lent = channel().lent(id);
    if (!lent.gets.tryLock()) {
      return Optional.empty();
    }
    try {
      byte[] item = lent.take();
      if (item != null) {
        return Optional.of(decodeLent(item));
      }
      return received(channel().requestNow(Msg.QUEUE_OP, op(Msg.OP_GET, Msg.encodeWait(0))));
    } finally {
      lent.gets.unlock();
    }
  }

  @SuppressWarnings("unchecked")
  private T decodeLent(byte[] item) {
    try {
      return (T) Codec.readValue(new Buf.In(item));
    } catch (Codec.ShippingException e) {
      throw Codec.unreadable("queue item", "in the child process (the item was taken off the queue)", e);
    }
  }

  @Override
  public int size() {
    ParentCalls.Reply r = Hub.check(channel().requestNow(Msg.QUEUE_OP, op(Msg.OP_SIZE, Msg.encodeWait(0))));
    return (int) r.payload.readVarLong();
  }

  private Buf op(int op, long wait) {
    return new Buf(16).writeByte(op).writeVarLong(id).writeVarLong(wait);
  }

  /** The item of a get reply, acknowledged so the parent stops holding it for us. */
  @SuppressWarnings("unchecked")
  private Optional<T> received(ParentCalls.Reply r) {
    Hub.check(r);
    if (r.status != Msg.R_VALUE) {
      return Optional.empty();
    }
    channel().sendLazily(Msg.ACK, r.id, null); // read with our next message, or when we end
    try {
      return Optional.of((T) Codec.readValue(r.payload));
    } catch (Codec.ShippingException e) {
      throw Codec.unreadable("queue item", "in the child process (the item was taken off the queue)", e);
    }
  }

  @Serial
  private Object writeReplace() {
    if (Codec.inQueueItem()) {
      channel().refs().pin(id);
    }
    return new QueueRef(backendId, id, capacity);
  }

  @Override
  public String toString() {
    return "Queue#" + id + " (proxy in child " + ProcessHandle.current().pid() + ")";
  }
}
