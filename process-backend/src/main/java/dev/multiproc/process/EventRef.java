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
  /** The slab holding a copy of the flag and its slot ({@link HubSync#eventMirror}), or null and -1. */
  private final String mirrorPath;
  private final int mirrorSlot;

  EventRef(long backendId, long id, String mirrorPath, int mirrorSlot) {
    this.backendId = backendId;
    this.id = id;
    this.mirrorPath = mirrorPath;
    this.mirrorSlot = mirrorSlot;
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
      ChildEvent e = new ChildEvent(backendId, id, mirrorPath, mirrorSlot);
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
