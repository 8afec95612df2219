package dev.multiproc.process;

import dev.multiproc.Event;
import dev.multiproc.engine.LocalEvent;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;

/** An event of the process backend as the parent sees it; sent to a child it becomes a {@link ChildEvent}. */
final class ProcessEvent implements Event, Serializable {

  @Serial private static final long serialVersionUID = 1L;

  final transient LocalEvent event;
  private final long backendId;
  final long id;

  /** A handle on the hub's {@code event}: made by the {@link Hub}, which counts its handles. */
  ProcessEvent(long backendId, long id, LocalEvent event) {
    this.event = event;
    this.backendId = backendId;
    this.id = id;
  }

  @Override
  public void set() {
    event.set();
  }

  @Override
  public void clear() {
    event.clear();
  }

  @Override
  public boolean isSet() {
    return event.isSet();
  }

  @Override
  public void await() throws InterruptedException {
    ParentWaits.begin();
    try {
      event.await();
    } finally {
      ParentWaits.end();
    }
  }

  @Override
  public boolean await(Duration timeout) throws InterruptedException {
    ParentWaits.begin();
    try {
      return event.await(timeout);
    } finally {
      ParentWaits.end();
    }
  }

  @Serial
  private Object writeReplace() {
    if (Codec.inQueueItem()) {
      Hub.pin(backendId, id);
    }
    HubSync.Slot mirror = Hub.eventMirror(backendId, id);
    return mirror == null ? new EventRef(backendId, id, null, -1) : new EventRef(backendId, id, mirror.slab().path, mirror.slot());
  }

  @Override
  public String toString() {
    return "Event#" + id + "{" + (isSet() ? "set" : "clear") + "}";
  }
}
