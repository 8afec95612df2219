package dev.multiproc.process;

import dev.multiproc.Queue;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A queue as a child process sees it: a proxy whose every call goes over the child's pipe to the
 * queue in the parent. A put on an unbounded queue needs no answer (it returns once written to the
 * pipe; the parent applies puts in order); everything else waits for the parent's reply.
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
    if (capacity == 0) {
      Buf b = new Buf(32).writeVarLong(id);
      Codec.writeQueueItem(item, b);
      channel().send(Msg.QUEUE_PUT, 0, b);
      return;
    }
    Hub.check(channel().request(Msg.QUEUE_OP, op(Msg.OP_PUT, Msg.WAIT_FOREVER, item)));
  }

  @Override
  public boolean put(T item, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(item, "item");
    if (capacity == 0) {
      put(item);
      return true;
    }
    return Hub.check(channel().request(Msg.QUEUE_OP, op(Msg.OP_PUT, Msg.encodeWait(timeout.toNanos()), item))).status
        == Msg.R_TRUE;
  }

  @Override
  public boolean tryPut(T item) {
    Objects.requireNonNull(item, "item");
    if (capacity == 0) {
      Buf b = new Buf(32).writeVarLong(id);
      Codec.writeQueueItem(item, b);
      channel().send(Msg.QUEUE_PUT, 0, b);
      return true;
    }
    return Hub.check(channel().requestNow(Msg.QUEUE_OP, op(Msg.OP_PUT, Msg.encodeWait(0), item))).status == Msg.R_TRUE;
  }

  @Override
  public T get() throws InterruptedException {
    return received(channel().request(Msg.QUEUE_OP, op(Msg.OP_GET, Msg.WAIT_FOREVER, null))).orElseThrow();
  }

  @Override
  public Optional<T> get(Duration timeout) throws InterruptedException {
    return received(channel().request(Msg.QUEUE_OP, op(Msg.OP_GET, Msg.encodeWait(timeout.toNanos()), null)));
  }

  @Override
  public Optional<T> tryGet() {
    return received(channel().requestNow(Msg.QUEUE_OP, op(Msg.OP_GET, Msg.encodeWait(0), null)));
  }

  @Override
  public int size() {
    ParentCalls.Reply r = Hub.check(channel().requestNow(Msg.QUEUE_OP, op(Msg.OP_SIZE, Msg.encodeWait(0), null)));
    return (int) r.payload.readVarLong();
  }

  private Buf op(int op, long wait, Object item) {
    Buf b = new Buf(32).writeByte(op).writeVarLong(id).writeVarLong(wait);
    if (item != null) {
      Codec.writeQueueItem(item, b);
    }
    return b;
  }

  /** The item of a get reply, acknowledged so the parent stops holding it for us. */
  @SuppressWarnings("unchecked")
  private Optional<T> received(ParentCalls.Reply r) {
    Hub.check(r);
    if (r.status != Msg.R_VALUE) {
      return Optional.empty();
    }
    channel().send(Msg.ACK, r.id, null);
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
