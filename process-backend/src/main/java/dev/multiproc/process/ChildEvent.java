package dev.multiproc.process;

import dev.multiproc.Event;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/** An event as a child process sees it: a proxy for the event in the parent. */
final class ChildEvent implements Event, Serializable {

  @Serial private static final long serialVersionUID = 1L;

  private final long backendId;
  private final long id;

  ChildEvent(long backendId, long id) {
    this.backendId = backendId;
    this.id = id;
  }

  @Override
  public void set() {
    ChildChannel.current.send(Msg.EVENT_SET, 0, new Buf(16).writeVarLong(id));
  }

  @Override
  public void clear() {
    ChildChannel.current.send(Msg.EVENT_CLEAR, 0, new Buf(16).writeVarLong(id));
  }

  @Override
  public boolean isSet() {
    return Hub.check(ChildChannel.current.requestNow(Msg.EVENT_OP, op(Msg.OP_IS_SET, Msg.encodeWait(0)))).status
        == Msg.R_TRUE;
  }

  @Override
  public void await() throws InterruptedException {
    Hub.check(ChildChannel.current.request(Msg.EVENT_OP, op(Msg.OP_AWAIT, Msg.WAIT_FOREVER)));
  }

  @Override
  public boolean await(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
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
    return new EventRef(backendId, id);
  }

  @Override
  public String toString() {
    return "Event#" + id + " (proxy in child " + ProcessHandle.current().pid() + ")";
  }
}
