package dev.multiproc.process;

import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;

/**
 * What a queue handle becomes on the wire: in a child it reads back as a proxy, in the parent as the
 * queue. A class, not a record, like every handle's wire form here: Java serialization builds a
 * record through method handles, which cost a JVM 20-30 ms the first time, paid by every worker
 * whose task captured a queue (it began ~100 ms after {@code start()} instead of a few).
 */
final class QueueRef implements Serializable {
  @Serial
  private static final long serialVersionUID = 1L;

  private final long backendId;
  private final long id;
  private final int capacity;

  QueueRef(long backendId, long id, int capacity) {
    this.backendId = backendId;
    this.id = id;
    this.capacity = capacity;
  }

  long backendId() {
    return backendId;
  }

  long id() {
    return id;
  }

  int capacity() {
    return capacity;
  }

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
