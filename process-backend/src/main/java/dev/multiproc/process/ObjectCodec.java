package dev.multiproc.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;

/**
 * The seam for objects that take none of {@link Codec}'s fast paths: tasks, functions, exceptions,
 * records, collections. Parent and children must use the same one.
 *
 * <p>The default is Java serialization ({@link #JAVA}): it handles every {@code Serializable}
 * class and serializable lambda with no registration and no extra dependency, and its failures
 * name the offending class, which {@link Codec} turns into a field path. Faster serializers were
 * measured against it (see {@code benchmarks/RESULTS.md}); a replacement implements this interface.
 */
interface ObjectCodec {

  /**
   * Writes one object graph.
   *
   * @throws java.io.NotSerializableException naming the class if part of the graph cannot be written
   * @throws IOException if writing fails otherwise
   */
  void write(Object value, OutputStream out) throws IOException;

  /**
   * Reads what {@link #write} wrote.
   *
   * @throws ClassNotFoundException if a class is not on this JVM's class path
   * @throws IOException if the bytes cannot be read as an object
   */
  Object read(InputStream in) throws IOException, ClassNotFoundException;

  /** Java serialization; classes resolve through the thread's context class loader first. */
  ObjectCodec JAVA = new ObjectCodec() {
    @Override
    public void write(Object value, OutputStream out) throws IOException {
      try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
        oos.writeObject(value);
      }
    }

    @Override
    public Object read(InputStream in) throws IOException, ClassNotFoundException {
      try (ObjectInputStream ois = new LoaderObjectInputStream(in)) {
        return ois.readObject();
      }
    }

    @Override
    public String toString() {
      return "java";
    }
  };

  /** Resolves classes with the thread's context class loader first, as containers expect. */
  final class LoaderObjectInputStream extends ObjectInputStream {
    LoaderObjectInputStream(InputStream in) throws IOException {
      super(in);
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
      ClassLoader tccl = Thread.currentThread().getContextClassLoader();
      if (tccl != null) {
        try {
          return Class.forName(desc.getName(), false, tccl);
        } catch (ClassNotFoundException e) {
          // fall through to the default resolution
        }
      }
      return super.resolveClass(desc);
    }
  }
}
