package dev.multiproc.hazelcast;

import dev.multiproc.NotShippableException;
import dev.multiproc.RemoteTaskException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serial;
import java.io.Serializable;

/**
 * Java serialization of what travels between this JVM and the members: functions, items, results
 * and exceptions. Done here rather than by Hazelcast so that what cannot travel fails with a
 * {@link NotShippableException} naming it, and an exception whose class the receiver lacks arrives
 * as a {@link RemoteTaskException} instead of failing the whole reply.
 */
final class Shipping {

  private Shipping() {}

  /**
   * @param value what to send
   * @param what what it is, for the message ("the map function", "item 3")
   * @return its bytes
   * @throws NotShippableException if it cannot be serialized
   */
  static byte[] serialize(Object value, String what) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    Output out = null;
    try {
      out = new Output(bytes);
      out.writeObject(value);
      out.close();
    } catch (ForeignHandle e) {
      throw new NotShippableException(what + " (" + value.getClass().getName() + ") cannot be sent to a Hazelcast member: it captures "
          + e.getMessage() + ", which no member can reach. Make the handle with the same backend as the task:"
          + " Multiproc.backend(\"hazelcast\") (or the hazelcast backend you opened).", e);
    } catch (IOException | RuntimeException e) {
      String culprit = out == null || out.last == null || out.last == value ? "" : ", at an object of class " + out.last.getClass().getName();
      throw new NotShippableException(what + " (" + (value == null ? "null" : value.getClass().getName()) + culprit
          + ") cannot be sent to a Hazelcast member: " + e
          + ". Everything a task captures, and every item, result and exception, must be Serializable, and its class on every member's class path.", e);
    }
    return bytes.toByteArray();
  }

  /**
   * What a handle of another backend is, "a Queue made by an in-JVM backend (thread or
   * virtual-thread)", or null if {@code obj} is not one. A process backend's handle arrives here
   * as what it writes itself as (its {@code writeReplace}), a reference in its package.
   */
  static String foreignHandle(Object obj) {
    String c = obj.getClass().getName();
    if (c.startsWith("dev.multiproc.engine.Local") && !c.equals("dev.multiproc.engine.LocalBackend")) {
      String kind = c.substring("dev.multiproc.engine.Local".length()).replaceAll("\\$.*", "");
      return (kind.matches("[AEIOU].*") ? "an " : "a ") + kind + " made by an in-JVM backend (thread or virtual-thread, "
          + c + ")";
    }
    if (c.startsWith("dev.multiproc.process.")) {
      return "a handle made by the process backend (" + c + ")";
    }
    return null;
  }

  /** A handle of another backend met while writing; its message says which. */
  private static final class ForeignHandle extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    ForeignHandle(String message) {
      super(message);
    }
  }

  /** Remembers the object it was writing last, to name it when writing fails. */
  private static final class Output extends ObjectOutputStream {
    Object last;

    Output(ByteArrayOutputStream out) throws IOException {
      super(out);
      enableReplaceObject(true);
    }

    @Override
    protected Object replaceObject(Object obj) throws IOException {
      last = obj;
      String foreign = foreignHandle(obj);
      if (foreign != null) {
        throw new ForeignHandle(foreign);
      }
      return obj;
    }
  }

  /**
   * @param bytes what {@link #serialize} made
   * @param what what it is, for the message
   * @return the object
   * @throws NotShippableException if it cannot be read here (a class missing from this JVM's class path)
   */
  static Object deserialize(byte[] bytes, String what) {
    Input in = null;
    try {
      in = new Input(new ByteArrayInputStream(bytes));
      return in.readObject();
    } catch (IOException | ClassNotFoundException | RuntimeException e) {
      String culprit = in == null || in.last == null ? "" : " (while reading an object of class " + in.last + ")";
      throw new NotShippableException(what + culprit + " cannot be read in this JVM (pid " + ProcessHandle.current().pid() + "): " + e
          + ". Its class must be on the class path of every JVM of the cluster, members and clients, and able to read itself back.", e);
    }
  }

  /** Items one by one, so that the message names the first that cannot travel. */
  static byte[] serializeItems(Object[] items, long firstIndex) {
    try {
      return serialize(items, "a chunk of items");
    } catch (NotShippableException e) {
      for (int i = 0; i < items.length; i++) {
        serialize(items[i], "item " + (firstIndex + i));
      }
      throw e;
    }
  }

  /** Resolves classes through the thread's context class loader first (application servers, plugins). */
  private static final class Input extends ObjectInputStream {
    String last;

    Input(InputStream in) throws IOException {
      super(in);
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
      last = desc.getName();
      ClassLoader tccl = Thread.currentThread().getContextClassLoader();
      if (tccl != null) {
        try {
          return Class.forName(desc.getName(), false, tccl);
        } catch (ClassNotFoundException e) {
          // fall through to the default
        }
      }
      return super.resolveClass(desc);
    }
  }

  /**
   * An exception on its way back: serialized on its own, with its class name, message and stack
   * trace beside it in case the receiver cannot rebuild it.
   */
  record Failure(byte[] serialized, String className, String message, StackTraceElement[] stackTrace) implements Serializable {

    @Serial private static final long serialVersionUID = 1L;

    static Failure of(Throwable t) {
      byte[] bytes;
      try {
        bytes = serialize(t, "exception");
      } catch (NotShippableException e) {
        bytes = null;
      }
      return new Failure(bytes, t.getClass().getName(), t.getMessage(), t.getStackTrace());
    }

    /** @return the exception, rebuilt if its class is here, else a {@link RemoteTaskException} */
    Throwable rebuild() {
      if (serialized != null) {
        try {
          Object o = deserialize(serialized, "exception");
          if (o instanceof Throwable t) {
            return t;
          }
        } catch (NotShippableException e) {
          // below
        }
      }
      return new RemoteTaskException(className, message, stackTrace, null);
    }
  }
}
