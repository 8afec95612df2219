package dev.multiproc.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A serializable lambda by reference, as Python's pickle ships a function by its module and name:
 * the lambda's {@link SerializedLambda} coordinates (capturing class, functional interface,
 * implementation method) and its captured values, each a {@link Codec} fast-path value. It skips
 * Java serialization's stream machinery, which costs a cold child 40-60 ms of CPU for its first
 * lambda and every later one tens of microseconds, and lets both sides cache: the sender the
 * coordinates per lambda class, the receiver the rebuilt lambda when it captures nothing (such a
 * lambda is one instance per call site, as Java serialization would also return).
 *
 * <p>Only lambdas whose captured values are all fast-path values ({@code null}, boxed numbers,
 * strings, booleans, {@code byte[]}) go this way; any other (one capturing a queue, a list, a
 * user object) is Java-serialized whole, as before, with its error messages and handle tracking.
 * So is a lambda whose class cannot be opened to this module (a named module that does not open
 * its package): {@link #coordinates} returns null for it.
 */
final class LambdaCodec {

  private LambdaCodec() {}

  /** The coordinates of a lambda class, or null if its lambdas are not shipped by reference. */
  private static final ClassValue<Method> WRITE_REPLACE = new ClassValue<>() {
    @Override
    protected Method computeValue(Class<?> type) {
      if (!type.isSynthetic() || !type.isHidden() || !java.io.Serializable.class.isAssignableFrom(type)) {
        return null;
      }
      try {
        Method m = type.getDeclaredMethod("writeReplace");
        m.setAccessible(true);
        return m;
      } catch (NoSuchMethodException | RuntimeException e) {
        return null; // not a lambda, or a module that does not open it: Java serialization decides
      }
    }
  };

  /** The captured values have fast-path types: {@link #write} can take it. Null otherwise. */
  static SerializedLambda coordinates(Object v) {
    Method m = WRITE_REPLACE.get(v.getClass());
    if (m == null) {
      return null;
    }
    SerializedLambda s;
    try {
      if (!(m.invoke(v) instanceof SerializedLambda sl)) {
        return null;
      }
      s = sl;
    } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
      return null;
    }
    for (int i = 0; i < s.getCapturedArgCount(); i++) {
      Object a = s.getCapturedArg(i);
      if (!(a == null || a instanceof Integer || a instanceof Long || a instanceof Double || a instanceof String
          || a instanceof Boolean || a instanceof byte[])) {
        return null;
      }
    }
    return s;
  }

  static void write(SerializedLambda s, Buf out) {
    out.writeString(s.getCapturingClass().replace('/', '.'));
    out.writeString(s.getFunctionalInterfaceClass());
    out.writeString(s.getFunctionalInterfaceMethodName());
    out.writeString(s.getFunctionalInterfaceMethodSignature());
    out.writeVarLong(s.getImplMethodKind());
    out.writeString(s.getImplClass());
    out.writeString(s.getImplMethodName());
    out.writeString(s.getImplMethodSignature());
    out.writeString(s.getInstantiatedMethodType());
    out.writeVarLong(s.getCapturedArgCount());
    for (int i = 0; i < s.getCapturedArgCount(); i++) {
      Codec.writeValue(s.getCapturedArg(i), "captured value", out);
    }
  }

  /**
   * Lambdas that capture nothing, rebuilt once: per capturing class (so nothing here keeps a class
   * loader alive), by the rest of their coordinates.
   */
  private static final ClassValue<ConcurrentHashMap<String, Object>> STATELESS = new ClassValue<>() {
    @Override
    protected ConcurrentHashMap<String, Object> computeValue(Class<?> type) {
      return new ConcurrentHashMap<>();
    }
  };

  /** How a capturing class rebuilds its lambdas: its {@code $deserializeLambda$}, or null to go through Java serialization. */
  private static final ClassValue<Method> DESERIALIZE = new ClassValue<>() {
    @Override
    protected Method computeValue(Class<?> type) {
      try {
        Method m = type.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
        m.setAccessible(true);
        return m;
      } catch (NoSuchMethodException | RuntimeException e) {
        return null;
      }
    }
  };

  /**
   * Rebuilds what {@link #write} wrote.
   *
   * @throws Codec.ShippingException naming the class, if it cannot be rebuilt here
   */
  static Object read(Buf.In in) {
    String capturing = in.readString();
    String fi = in.readString();
    String fiMethod = in.readString();
    String fiSignature = in.readString();
    int kind = (int) in.readVarLong();
    String implClass = in.readString();
    String implMethod = in.readString();
    String implSignature = in.readString();
    String instantiated = in.readString();
    int n = (int) in.readVarLong();
    Object[] captured = new Object[n];
    for (int i = 0; i < n; i++) {
      captured[i] = Codec.readValue(in);
    }
    ClassLoader tccl = Thread.currentThread().getContextClassLoader();
    ClassLoader loader = tccl != null ? tccl : LambdaCodec.class.getClassLoader();
    try {
      Class<?> c = Class.forName(capturing, false, loader);
      String key = n == 0 ? String.join(" ", fi, fiMethod, fiSignature, implClass, implMethod, implSignature, instantiated) : null;
      Object lambda = key == null ? null : STATELESS.get(c).get(key);
      if (lambda != null) {
        return lambda;
      }
      SerializedLambda s = new SerializedLambda(c, fi, fiMethod, fiSignature, kind, implClass, implMethod,
          implSignature, instantiated, captured);
      Method d = DESERIALIZE.get(c);
      lambda = d != null ? invoke(d, s) : viaJavaSerialization(s);
      if (key != null) {
        Object raced = STATELESS.get(c).putIfAbsent(key, lambda);
        return raced != null ? raced : lambda;
      }
      return lambda;
    } catch (ClassNotFoundException | LinkageError | RuntimeException | IOException e) {
      throw Codec.ShippingException.of(e, capturing);
    }
  }

  private static Object invoke(Method deserialize, SerializedLambda s) {
    try {
      return deserialize.invoke(null, s);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
  }

  /** Where {@code $deserializeLambda$} is closed to us: the JDK's own route, {@code SerializedLambda.readResolve}. */
  private static Object viaJavaSerialization(SerializedLambda s) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ObjectOutputStream o = new ObjectOutputStream(b)) {
      o.writeObject(s);
    }
    try (ObjectInputStream i = new ObjectCodec.LoaderObjectInputStream(new ByteArrayInputStream(b.toByteArray()))) {
      return i.readObject();
    }
  }
}
