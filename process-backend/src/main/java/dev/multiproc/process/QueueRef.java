package dev.multiproc.process;

import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;

/** What a queue handle becomes on the wire: in a child it reads back as a proxy, in the parent as the queue. */
record QueueRef(long backendId, long id, int capacity) implements Serializable {

  @Serial
  private Object readResolve() throws ObjectStreamException {
    ChildChannel channel = ChildChannel.current;
    if (channel != null) {
      ChildQueue<?> q = new ChildQueue<>(backendId, id, capacity);
      channel.refs().created(q, id);
      return q;
    }
    ProcessQueue<?> q = Hub.queue(backendId, id);
    if (q == null) {
      throw new InvalidObjectException("queue #" + id + " no longer exists: the process backend that made it is closed,"
          + " or no handle to it was left");
    }
    return q;
  }
}
