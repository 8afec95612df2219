package dev.multiproc.engine;

import dev.multiproc.Barrier;
import dev.multiproc.Connection;
import dev.multiproc.Event;
import dev.multiproc.Lock;
import dev.multiproc.NotShippableException;
import dev.multiproc.Pipe;
import dev.multiproc.Queue;
import dev.multiproc.Semaphore;
import dev.multiproc.SharedMap;
import dev.multiproc.Value;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;

/**
 * {@code multiproc.<backend>.check-shippable=true} on the in-JVM backends: serializes every task,
 * function, initializer, item and result as the {@code process} backend would send it, and fails
 * as it would, with {@link NotShippableException}, so that a task that captures a
 * non-serializable {@code this} is caught while developing on threads. Handles (queues, events,
 * locks, semaphores, barriers, pipes, values, shared maps) count as shippable, as they are on every
 * backend. The bytes are discarded; the work runs on the
 * original objects.
 */
final class ShippableCheck {

  private ShippableCheck() {}

  /**
   * @param value what would be sent
   * @param what how messages name it: {@code the function}, {@code item 3}, {@code the result of item 3}
   * @param backend the backend's name, for the key in the message
   * @throws NotShippableException if {@code value} cannot be serialized
   */
  static void check(Object value, String what, String backend) {
    if (value == null) {
      return;
    }
    try (ObjectOutputStream out = new HandleSkippingOutput()) {
      out.writeObject(value);
    } catch (IOException e) {
      String culprit = e instanceof NotSerializableException n ? n.getMessage()
          : e instanceof InvalidClassException i && i.classname != null ? i.classname : null;
      throw new NotShippableException("cannot send " + what + " to another JVM: "
          + (culprit != null ? culprit + " is not serializable" : e.toString())
          + ". Make that class Serializable, mark the field transient, or capture only what the task needs in local"
          + " variables (a lambda that uses a field or method of its class captures 'this'). Checked because"
          + " multiproc." + backend + ".check-shippable=true; the process backend would fail the same way.", e);
    }
  }

  /** Writes nowhere; replaces queue and event handles, which every backend can ship. */
  private static final class HandleSkippingOutput extends ObjectOutputStream {
    HandleSkippingOutput() throws IOException {
      super(OutputStream.nullOutputStream());
      enableReplaceObject(true);
    }

    @Override
    protected Object replaceObject(Object obj) {
      return isHandle(obj) ? "handle" : obj;
    }
  }

  /** The handles a backend makes, which every backend can ship to its workers. */
  static boolean isHandle(Object obj) {
    return obj instanceof Queue<?> || obj instanceof Event || obj instanceof Lock || obj instanceof Semaphore
        || obj instanceof Barrier || obj instanceof Connection<?> || obj instanceof Pipe<?> || obj instanceof Value
        || obj instanceof SharedMap<?, ?>;
  }
}
