package dev.multiproc.process;

import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;

/**
 * What an event handle becomes on the wire: in a child it reads back as a proxy, in the parent as
 * the event. A class, not a record, as {@link QueueRef} says.
 */
final class EventRef implements Serializable {
  @Serial
  private static final long serialVersionUID = 1L;

  private final long backendId;
  private final long id;

  EventRef(long backendId, long id) {
    this.backendId = backendId;
    this.id = id;
  }

  long backendId() {
    return backendId;
  }

  long id() {
    return id;
  }

  @Serial
  private Object readResolve() throws ObjectStreamException {
    ChildChannel channel = ChildChannel.current;
    if (channel != null) {
      ChildEvent e = new ChildEvent(backendId, id);
      channel.refs().created(e, id);
      return e;
    }
    ProcessEvent e = Hub.event(backendId, id);
    if (e == null) {
      throw new InvalidObjectException("event #" + id + " no longer exists: the process backend that made it is closed,"
          + " or no handle to it was left");
    }
    return e;
  }
}
