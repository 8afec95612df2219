package dev.multiproc.process;

import dev.multiproc.NotShippableException;
import dev.multiproc.RemoteTaskException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.OutputStream;
import java.io.Serializable;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Turns tasks, items, results and exceptions into bytes and back.
 *
 * <p>Common values take a fast path that needs no serializer: null, {@code Integer}, {@code Long},
 * {@code Double}, {@code String}, {@code Boolean}, {@code byte[]}, and lists and maps of them
 * ({@code ArrayList}, {@code List.of}, {@code Stream.toList}, {@code HashMap}, {@code Map.of}:
 * {@link #writeCollection}); a chunk's array of items or
 * results ({@link #writeArray}) whose elements are all non-null {@code Integer}s, all {@code Long}s,
 * all {@code Double}s or all {@code String}s (the usual items and results of {@code map}) as a
 * column, and one of other such values each tagged; and a serializable lambda that captures only
 * numbers, strings and the like, by reference ({@link LambdaCodec}). Everything else goes through Java
 * serialization. When serialization fails, the resulting {@link NotShippableException} names the
 * class that is not serializable and the field path to it.
 */
final class Codec {

  private static final int NULL = 0;
  private static final int INT = 1;
  private static final int LONG = 2;
  private static final int DOUBLE = 3;
  private static final int STRING = 4;
  private static final int TRUE = 5;
  private static final int FALSE = 6;
  static final int BYTES = 7;
  static final int JAVA = 8;
  private static final int LAMBDA = 9;
  /** A list the fast path takes ({@link #writeCollection}): a kind ({@link #listKind}), the size, the values. */
  static final int LIST = 10;
  /** A map the fast path takes ({@link #writeMap}): a kind, the size, keys and values in turn. */
  static final int MAP = 11;
  private static final int INT_ARRAY = 20;
  private static final int LONG_ARRAY = 21;
  private static final int DOUBLE_ARRAY = 22;
  private static final int STRING_ARRAY = 23;
  static final int JAVA_ARRAY = 24;
  /** A chunk of plain values of mixed kinds, nulls, or lists of them: each as {@link #writeValue} writes it. */
  static final int VALUE_ARRAY = 25;

  /** The serializer behind the {@code JAVA} tags. */
  static final ObjectCodec OBJECTS = ObjectCodec.JAVA;

  private Codec() {}

  // ------------------------------------------------------------------ values

  /**
   * Encodes one value.
   *
   * @param what how to name the value in an error, such as {@code "task"} or {@code "item 3"}
   * @throws NotShippableException if it cannot be serialized
   */
  static void writeValue(Object v, String what, Buf out) {
    if (v == null) {
      out.writeByte(NULL);
    } else if (v instanceof Integer i) {
      out.writeByte(INT).writeInt(i);
    } else if (v instanceof Long l) {
      out.writeByte(LONG).writeLong(l);
    } else if (v instanceof Double d) {
      out.writeByte(DOUBLE).writeLong(Double.doubleToRawLongBits(d));
    } else if (v instanceof String s && utf8Safe(s)) {
      out.writeByte(STRING).writeString(s);
    } else if (v instanceof Boolean b) {
      out.writeByte(b ? TRUE : FALSE);
    } else if (v instanceof byte[] b) {
      out.writeByte(BYTES).writeBlob(b);
    } else if ((v instanceof List<?> || v instanceof Map<?, ?>) && writeCollection(v, out)) {
      // written on the fast path
    } else {
      java.lang.invoke.SerializedLambda lambda = LambdaCodec.coordinates(v);
      if (lambda != null) {
        out.writeByte(LAMBDA);
        LambdaCodec.write(lambda, out);
      } else {
        out.writeByte(JAVA);
        writeJava(v, what, out);
      }
    }
  }

  /**
   * True if UTF-8 carries {@code s} whole: it holds no surrogate that is not half of a pair (such a
   * one, legal in a Java string, would come back as {@code '?'}; serialization keeps it).
   */
  static boolean utf8Safe(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c) || i + 1 == n || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      }
    }
    return true;
  }

  /** Set on a thread while it encodes a queue item: see {@link #inQueueItem()}. */
  private static final ThreadLocal<Boolean> QUEUE_ITEM = new ThreadLocal<>();

  /** Encodes an item of a queue ({@link #writeValue} while {@link #inQueueItem()} is true). */
  static void writeQueueItem(Object item, Buf out) {
    Boolean outer = QUEUE_ITEM.get();
    QUEUE_ITEM.set(Boolean.TRUE);
    try {
      writeValue(item, "queue item", out);
    } finally {
      QUEUE_ITEM.set(outer);
    }
  }

  static byte[] encodeQueueItem(Object item) {
    Buf out = new Buf(64);
    writeQueueItem(item, out);
    return out.toByteArray();
  }

  /**
   * True while this thread encodes a queue item: a queue or event handle inside one is then kept
   * for good, as the hub cannot follow a handle in that form (see {@link Hub}).
   */
  static boolean inQueueItem() {
    return QUEUE_ITEM.get() == Boolean.TRUE;
  }

  static byte[] encodeValue(Object v, String what) {
    Buf out = new Buf(64);
    writeValue(v, what, out);
    return out.toByteArray();
  }

  static Object readValue(Buf.In in) {
    int tag = in.readByte();
    return switch (tag) {
      case NULL -> null;
      case INT -> in.readInt();
      case LONG -> in.readLong();
      case DOUBLE -> Double.longBitsToDouble(in.readLong());
      case STRING -> in.readString();
      case TRUE -> Boolean.TRUE;
      case FALSE -> Boolean.FALSE;
      case BYTES -> in.readBlob();
      case JAVA -> readJava(in);
      case LAMBDA -> LambdaCodec.read(in);
      case LIST -> readList(in);
      case MAP -> readMap(in);
      default -> throw new IllegalStateException("unknown value tag " + tag);
    };
  }

  static Object decodeValue(byte[] b) {
    return readValue(new Buf.In(b));
  }

  // ------------------------------------------------------------------ lists and maps of plain values

  // A list or map of numbers, strings and booleans (and of such lists and maps) is as common an
  // item as a number, and Java serialization of one costs microseconds (a map over 3-element lists
  // ran at 0.12-0.59 M items/s, 2-10 times slower than Python's pickle). The collections whose
  // class a decoder can make again exactly take a fast path: ArrayList, the unmodifiable lists of
  // List.of and of Stream.toList (which, unlike List.of's, allow nulls: listKind tells them apart),
  // HashMap (made again as its readObject would, so it iterates alike) and Map.of's maps. Any other
  // collection (a LinkedHashMap, whose access order cannot be seen; a TreeMap and its comparator),
  // one holding anything else, or one in which a collection or byte array appears twice (which
  // serialization keeps shared) goes through Java serialization as before.

  private static final Class<?> LIST12 = List.of(1).getClass();
  private static final Class<?> LIST_N = List.of(1, 2, 3).getClass();
  private static final int ARRAY_LIST = 0;
  private static final int LIST_OF = 1;
  private static final int STREAM_LIST = 2;
  /** How deep lists of lists may nest on the fast path; deeper ones (or one holding itself) are serialized. */
  private static final int MAX_DEPTH = 8;

  /**
   * The kind of list {@code list} is on the fast path, or -1.
   *
   * @param elements its elements, as {@link #writeList} took them
   */
  private static int listKind(List<?> list, Object[] elements) {
    Class<?> c = list.getClass();
    if (c == ArrayList.class) {
      return ARRAY_LIST;
    }
    if (c == LIST12) {
      return LIST_OF;
    }
    if (c != LIST_N) {
      return -1;
    }
    for (Object e : elements) {
      if (e == null) {
        return STREAM_LIST; // List.of's refuse nulls
      }
    }
    // List.copyOf returns a list of List.of's as it is, and copies one that allows nulls (asking
    // contains(null) would tell too, but by a NullPointerException: microseconds, every list)
    return List.copyOf(list) == list ? LIST_OF : STREAM_LIST;
  }

  private static final Class<?> MAP1 = Map.of(1, 1).getClass();
  private static final Class<?> MAP_N = Map.of(1, 1, 2, 2).getClass();
  private static final int HASH_MAP = 0;
  private static final int MAP_OF = 1;

  /** The kind of map {@code map} is on the fast path ({@code HashMap}, {@code Map.of}'s), or -1. */
  private static int mapKind(Map<?, ?> map) {
    Class<?> c = map.getClass();
    return c == java.util.HashMap.class ? HASH_MAP : c == MAP1 || c == MAP_N ? MAP_OF : -1;
  }

  /**
   * Writes a list or map on the fast path if it can take it; else writes nothing.
   *
   * @return false if it cannot: a kind of list or map, or an element, the fast path does not know;
   *     collections nested deeper than {@link #MAX_DEPTH}; or a collection or byte array that
   *     appears twice in it (serialization keeps such sharing, this path would not)
   */
  private static boolean writeCollection(Object v, Buf out) {
    int mark = out.size;
    if (v instanceof List<?> list ? writeList(list, 0, null, out) : writeMap((Map<?, ?>) v, 0, null, out)) {
      return true;
    }
    out.size = mark;
    return false;
  }

  private static boolean scalar(Object e) {
    return e == null || e instanceof Integer || e instanceof String || e instanceof Long || e instanceof Double
        || e instanceof Boolean;
  }

  /**
   * Writes one element of a list, a key or value of a map, or an item of a chunk, on the fast path.
   *
   * @param depth how deep the collections holding it nest
   * @param seen the collections and byte arrays written so far (made by the outermost collection
   *     when it meets its first that is not a scalar: a flat list of numbers needs none)
   * @return false if the fast path cannot take it (what it wrote is then dropped whole)
   */
  private static boolean writeElement(Object e, int depth, IdentityHashMap<Object, Boolean> seen, Buf out) {
    if (scalar(e)) {
      writeValue(e, "value", out);
      return true;
    }
    if (!(e instanceof byte[] || e instanceof List<?> || e instanceof Map<?, ?>) || seen.put(e, Boolean.TRUE) != null) {
      return false;
    }
    if (e instanceof byte[] b) {
      out.writeByte(BYTES).writeBlob(b);
      return true;
    }
    if (depth >= MAX_DEPTH) {
      return false;
    }
    return e instanceof List<?> list ? writeList(list, depth, seen, out) : writeMap((Map<?, ?>) e, depth, seen, out);
  }

  /**
   * Writes a list from one snapshot of its elements (so another thread changing an ArrayList
   * meanwhile cannot make its size and its elements disagree).
   */
  private static boolean writeList(List<?> list, int depth, IdentityHashMap<Object, Boolean> seen, Buf out) {
    Object[] elements = list.toArray();
    int kind = listKind(list, elements);
    if (kind < 0) {
      return false;
    }
    out.writeByte(LIST).writeByte(kind).writeVarLong(elements.length);
    for (Object e : elements) {
      if (!scalar(e) && seen == null) {
        seen = new IdentityHashMap<>();
      }
      if (!writeElement(e, depth + 1, seen, out)) {
        return false;
      }
    }
    return true;
  }

  /** Writes a map from one snapshot of its entries, as {@link #writeList} a list. */
  private static boolean writeMap(Map<?, ?> map, int depth, IdentityHashMap<Object, Boolean> seen, Buf out) {
    int kind = mapKind(map);
    if (kind < 0) {
      return false;
    }
    Object[] entries;
    try {
      entries = map.entrySet().toArray(); // a HashMap's walks an iterator: it may fail fast
    } catch (java.util.ConcurrentModificationException e) {
      return false; // changed meanwhile by another thread: serialized, as before
    }
    out.writeByte(MAP).writeByte(kind).writeVarLong(entries.length);
    for (Object o : entries) {
      Map.Entry<?, ?> entry = (Map.Entry<?, ?>) o;
      if (seen == null && !(scalar(entry.getKey()) && scalar(entry.getValue()))) {
        seen = new IdentityHashMap<>();
      }
      if (!writeElement(entry.getKey(), depth + 1, seen, out) || !writeElement(entry.getValue(), depth + 1, seen, out)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A map as Java serialization would make it again: a {@code HashMap} with the table its
   * {@code readObject} sizes (so that it iterates in the same order; its load factor, which
   * serialization keeps and nothing can read, is the default again), or a {@code Map.of} map.
   */
  private static Map<Object, Object> readMap(Buf.In in) {
    int kind = in.readByte();
    int n = (int) in.readVarLong();
    if (kind == HASH_MAP) {
      Map<Object, Object> m = new java.util.HashMap<>(Math.max(16, (int) Math.min(Math.ceil(n / 0.75), 1 << 30)));
      for (int i = 0; i < n; i++) {
        Object k = readValue(in);
        m.put(k, readValue(in));
      }
      return m;
    }
    if (kind != MAP_OF) {
      throw new IllegalStateException("unknown map kind " + kind);
    }
    @SuppressWarnings("unchecked")
    Map.Entry<Object, Object>[] entries = (Map.Entry<Object, Object>[]) new Map.Entry<?, ?>[n];
    for (int i = 0; i < n; i++) {
      Object k = readValue(in);
      entries[i] = Map.entry(k, readValue(in));
    }
    return Map.ofEntries(entries);
  }

  private static List<Object> readList(Buf.In in) {
    int kind = in.readByte();
    int n = (int) in.readVarLong();
    Object[] values = new Object[n];
    for (int i = 0; i < n; i++) {
      values[i] = readValue(in);
    }
    return switch (kind) {
      case ARRAY_LIST -> new ArrayList<>(Arrays.asList(values));
      case LIST_OF -> List.of(values);
      case STREAM_LIST -> Arrays.stream(values).toList();
      default -> throw new IllegalStateException("unknown list kind " + kind);
    };
  }

  // ------------------------------------------------------------------ arrays

  /**
   * Encodes an array of items or results; a homogeneous array of non-null integers, longs, doubles
   * or strings takes the fast path.
   *
   * @param what how to name element {@code i} in an error: {@code what + " " + (firstIndex + i)}
   */
  static void writeArray(Object[] a, String what, long firstIndex, Buf out) {
    writeArray(a, 0, a.length, what, firstIndex, out);
  }

  /**
   * As {@link #writeArray(Object[], String, long, Buf)}, for {@code a[off, off + len)}. Each kind
   * of column has a small method of its own: a JIT compiles a small hot method sooner, and in a
   * fraction of the time, than one method holding every loop (measured: the one method took C2
   * 40-90 ms per JVM, during the first maps, on a machine whose two cores run three JVMs).
   */
  static void writeArray(Object[] a, int off, int len, String what, long firstIndex, Buf out) {
    Class<?> kind = homogeneous(a, off, len);
    if (kind == Integer.class) {
      writeInts(a, off, len, out);
    } else if (kind == Long.class) {
      writeLongs(a, off, len, out);
    } else if (kind == Double.class) {
      writeDoubles(a, off, len, out);
    } else if (kind == String.class) {
      writeStrings(a, off, len, out);
    } else if (!writeValues(a, off, len, out)) {
      writeJavaArray(a, off, len, what, firstIndex, out);
    }
  }

  /**
   * Writes a chunk of values that are each null, a number, a string, a boolean, bytes or a list or
   * map the fast path takes ({@link #writeCollection}); else writes nothing.
   *
   * @return false if one is not: the chunk is then serialized whole (which keeps the sharing of
   *     arrays and lists between its items that this path would not)
   */
  private static boolean writeValues(Object[] a, int off, int len, Buf out) {
    int mark = out.size;
    out.writeByte(VALUE_ARRAY).writeVarLong(len);
    IdentityHashMap<Object, Boolean> seen = null;
    for (int i = off; i < off + len; i++) {
      Object v = a[i];
      if (scalar(v)) {
        writeValue(v, "item", out);
        continue;
      }
      if (seen == null) {
        seen = new IdentityHashMap<>();
      }
      if (!writeElement(v, 0, seen, out)) {
        out.size = mark;
        return false;
      }
    }
    return true;
  }

  // Numbers: unboxed into a primitive array, then one bulk big-endian copy (a native copy, fast
  // from the first map on, before the JIT has compiled any loop here). The primitive array is
  // reused from one call to the next: memory a JVM has not touched yet is dear (a page fault per
  // 4 KiB), and until its first collection every new array is such memory.

  private static void writeInts(Object[] a, int off, int len, Buf out) {
    int[] v = spareInts(len);
    for (int i = 0; i < len; i++) {
      v[i] = (Integer) a[off + i];
    }
    putInts(v, len, out);
  }

  private static void writeLongs(Object[] a, int off, int len, Buf out) {
    long[] v = spareLongs(len);
    for (int i = 0; i < len; i++) {
      v[i] = (Long) a[off + i];
    }
    putLongs(v, len, out);
  }

  private static void writeDoubles(Object[] a, int off, int len, Buf out) {
    double[] v = spareDoubles(len);
    for (int i = 0; i < len; i++) {
      v[i] = (Double) a[off + i];
    }
    putDoubles(v, len, out);
  }

  /** An int array of at least {@code len}: the spare if it is large enough; give it back with {@link #putInts}. */
  static int[] spareInts(int len) {
    int[] v = SPARE_INTS.getAndSet(null);
    return v == null || v.length < len ? new int[len] : v;
  }

  static long[] spareLongs(int len) {
    long[] v = SPARE_LONGS.getAndSet(null);
    return v == null || v.length < len ? new long[len] : v;
  }

  static double[] spareDoubles(int len) {
    double[] v = SPARE_DOUBLES.getAndSet(null);
    return v == null || v.length < len ? new double[len] : v;
  }

  /** Writes {@code v[0, len)} as an int column (one bulk big-endian copy), and keeps {@code v} as the spare. */
  static void putInts(int[] v, int len, Buf out) {
    column(out, INT_ARRAY, len, 4).asIntBuffer().put(v, 0, len);
    if (v.length <= SPARE_MAX) {
      SPARE_INTS.set(v);
    }
  }

  static void putLongs(long[] v, int len, Buf out) {
    column(out, LONG_ARRAY, len, 8).asLongBuffer().put(v, 0, len);
    if (v.length <= SPARE_MAX) {
      SPARE_LONGS.set(v);
    }
  }

  static void putDoubles(double[] v, int len, Buf out) {
    column(out, DOUBLE_ARRAY, len, 8).asDoubleBuffer().put(v, 0, len);
    if (v.length <= SPARE_MAX) {
      SPARE_DOUBLES.set(v);
    }
  }

  private static void writeStrings(Object[] a, int off, int len, Buf out) {
    out.writeByte(STRING_ARRAY).writeVarLong(len);
    for (int i = 0; i < len; i++) {
      out.writeString((String) a[off + i]);
    }
  }

  private static void writeJavaArray(Object[] a, int off, int len, String what, long firstIndex, Buf out) {
    Object[] chunk = off == 0 && len == a.length ? a : Arrays.copyOfRange(a, off, off + len);
    out.writeByte(JAVA_ARRAY);
    int mark = out.size;
    try {
      writeJavaUnchecked(chunk, out);
    } catch (IOException e) {
      out.size = mark;
      for (int i = 0; i < chunk.length; i++) {
        encodeValue(chunk[i], what + " " + (firstIndex + i)); // throws for the culprit
      }
      throw notShippable(what + "s " + firstIndex + ".." + (firstIndex + chunk.length - 1), chunk, e);
    }
  }

  /** A number column's primitive array, kept for the next column (one of each; see {@link #writeArray}). */
  private static final AtomicReference<int[]> SPARE_INTS = new AtomicReference<>();
  private static final AtomicReference<long[]> SPARE_LONGS = new AtomicReference<>();
  private static final AtomicReference<double[]> SPARE_DOUBLES = new AtomicReference<>();
  /** The largest spare kept: a million numbers (8 MB of longs or doubles). */
  private static final int SPARE_MAX = 1 << 20;

  /**
   * Writes a number column's tag and length, and makes room for its {@code len} numbers of
   * {@code width} bytes: the view to bulk-copy them into (made after the room, which may replace
   * {@code out.bytes}).
   */
  private static ByteBuffer column(Buf out, int tag, int len, int width) {
    out.writeByte(tag).writeVarLong(len);
    int at = reserve(out, (long) width * len);
    return ByteBuffer.wrap(out.bytes, at, width * len);
  }

  /** Makes room for {@code n} bytes at the end of {@code out}; returns where they start. */
  private static int reserve(Buf out, long n) {
    if (n > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("a chunk of " + n + " bytes is too large; use a smaller chunk size");
    }
    out.ensure((int) n);
    int at = out.size;
    out.size += (int) n;
    return at;
  }

  /**
   * Reads an array as {@link #readArray} does, but leaves numbers unboxed: an {@code int[]},
   * {@code long[]} or {@code double[]} for those fast paths, else an {@code Object[]}.
   */
  static Object readColumn(Buf.In in) {
    return readColumn(in, null);
  }

  /**
   * As {@link #readColumn(Buf.In)}, reading numbers into {@code reuse} if it is a primitive array
   * of their type and exactly their number (a caller that no longer needs its last column).
   */
  static Object readColumn(Buf.In in, Object reuse) {
    int tag = in.bytes[in.pos] & 0xFF;
    if (tag != INT_ARRAY && tag != LONG_ARRAY && tag != DOUBLE_ARRAY) {
      return readArray(in);
    }
    in.readByte();
    return numbers(tag, in, reuse);
  }

  /** The numbers of a column whose tag was read: one primitive array ({@code reuse} if it fits). */
  private static Object numbers(int tag, Buf.In in, Object reuse) {
    int n = (int) in.readVarLong();
    // one bounds check and one bulk copy (big-endian, as Buf writes) per column, not per number
    switch (tag) {
      case INT_ARRAY -> {
        int[] a = reuse instanceof int[] r && r.length == n ? r : new int[n];
        ByteBuffer.wrap(in.bytes, in.skip(4L * n), 4 * n).asIntBuffer().get(a);
        return a;
      }
      case LONG_ARRAY -> {
        long[] a = reuse instanceof long[] r && r.length == n ? r : new long[n];
        ByteBuffer.wrap(in.bytes, in.skip(8L * n), 8 * n).asLongBuffer().get(a);
        return a;
      }
      default -> {
        double[] a = reuse instanceof double[] r && r.length == n ? r : new double[n];
        ByteBuffer.wrap(in.bytes, in.skip(8L * n), 8 * n).asDoubleBuffer().get(a);
        return a;
      }
    }
  }

  static Object[] readArray(Buf.In in) {
    int tag = in.readByte();
    if (tag == JAVA_ARRAY) {
      return (Object[]) readJava(in);
    }
    if (tag == INT_ARRAY || tag == LONG_ARRAY || tag == DOUBLE_ARRAY) {
      return box(numbers(tag, in, null));
    }
    if (tag == VALUE_ARRAY) {
      int n = (int) in.readVarLong();
      Object[] a = new Object[n];
      for (int i = 0; i < n; i++) {
        a[i] = readValue(in);
      }
      return a;
    }
    if (tag != STRING_ARRAY) {
      throw new IllegalStateException("unknown array tag " + tag);
    }
    int n = (int) in.readVarLong();
    Object[] a = new Object[n];
    for (int i = 0; i < n; i++) {
      a[i] = in.readString();
    }
    return a;
  }

  /** A number column as boxes. */
  static Object[] box(Object column) {
    if (column instanceof int[] v) {
      Object[] a = new Object[v.length];
      for (int i = 0; i < v.length; i++) {
        a[i] = v[i];
      }
      return a;
    }
    if (column instanceof long[] v) {
      Object[] a = new Object[v.length];
      for (int i = 0; i < v.length; i++) {
        a[i] = v[i];
      }
      return a;
    }
    double[] v = (double[]) column;
    Object[] a = new Object[v.length];
    for (int i = 0; i < v.length; i++) {
      a[i] = v[i];
    }
    return a;
  }

  private static Class<?> homogeneous(Object[] a, int off, int len) {
    if (len == 0 || a[off] == null) {
      return null;
    }
    Class<?> c = a[off].getClass();
    if (c != Integer.class && c != Long.class && c != Double.class && c != String.class) {
      return null;
    }
    for (int i = off; i < off + len; i++) {
      Object o = a[i];
      if (o == null || o.getClass() != c || c == String.class && !utf8Safe((String) o)) {
        return null;
      }
    }
    return c;
  }

  // ------------------------------------------------------------------ Java serialization

  private static void writeJava(Object v, String what, Buf out) {
    int mark = out.size;
    try {
      writeJavaUnchecked(v, out);
    } catch (IOException e) {
      out.size = mark;
      throw notShippable(what, v, e);
    }
  }

  /**
   * Serializes {@code v} behind a length.
   *
   * @throws IOException if it cannot be written; an unchecked exception thrown by a class's own
   *     {@code writeObject} or {@code writeReplace} comes out as a {@link WriteFailure}
   */
  private static void writeJavaUnchecked(Object v, Buf out) throws IOException {
    int lenPos = out.size;
    out.writeInt(0);
    try {
      OBJECTS.write(v, new BufOutputStream(out));
    } catch (RuntimeException e) {
      throw new WriteFailure(e);
    }
    int len = out.size - lenPos - 4;
    out.bytes[lenPos] = (byte) (len >>> 24);
    out.bytes[lenPos + 1] = (byte) (len >>> 16);
    out.bytes[lenPos + 2] = (byte) (len >>> 8);
    out.bytes[lenPos + 3] = (byte) len;
  }

  /**
   * Deserializes what {@link #writeJavaUnchecked} wrote, always moving past it, so that whatever
   * follows in the message can still be read.
   *
   * @throws ShippingException naming the class, whatever went wrong: a class missing here, an
   *     incompatible class, a {@code readObject} or {@code readResolve} that threw, a class whose
   *     static initializer failed
   */
  private static Object readJava(Buf.In in) {
    int len = in.readInt();
    if (len < 0 || len > in.remaining()) {
      throw new IllegalStateException("truncated serialized object");
    }
    int start = in.pos;
    in.pos += len;
    try {
      return OBJECTS.read(new ByteArrayInputStream(in.bytes, start, len));
    } catch (IOException | ClassNotFoundException | RuntimeException | LinkageError e) {
      throw ShippingException.of(e, rootClass(in.bytes, start, len));
    }
  }

  /**
   * The class of the object at the root of a Java serialization stream, read from its header
   * ({@code STREAM_MAGIC, STREAM_VERSION, TC_OBJECT, TC_CLASSDESC, name}), or null.
   */
  static String rootClass(byte[] b, int off, int len) {
    if (len < 9 || (b[off] & 0xFF) != 0xAC || (b[off + 1] & 0xFF) != 0xED
        || b[off + 4] != 0x73 || b[off + 5] != 0x72) {
      return null;
    }
    int n = ((b[off + 6] & 0xFF) << 8) | (b[off + 7] & 0xFF);
    if (8 + n > len) {
      return null;
    }
    return new String(b, off + 8, n, java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * A value could not be deserialized. The message starts with the class at fault and says what
   * went wrong with it: the decode sites prefix what the value was and where it was read
   * ({@link #unreadable}).
   */
  static final class ShippingException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final java.util.Set<String> READ_HOOKS =
        java.util.Set.of("readObject", "readObjectNoData", "readResolve", "readExternal", "validateObject");

    /** True when the class is not on this JVM's class path: the hint differs. */
    final boolean classMissing;

    private ShippingException(String message, Throwable cause, boolean classMissing) {
      super(message, cause);
      this.classMissing = classMissing;
    }

    static ShippingException of(Throwable e, String rootClass) {
      if (e instanceof ClassNotFoundException) {
        return new ShippingException("class " + e.getMessage() + " is not on the class path", e, true);
      }
      if (e instanceof NoClassDefFoundError) {
        return new ShippingException("class " + String.valueOf(e.getMessage()).replace('/', '.')
            + " is not on the class path", e, true);
      }
      if (e instanceof InvalidClassException i && i.classname != null) {
        return new ShippingException("class " + i.classname + " is incompatible with the sender's: " + i.getMessage(), e, false);
      }
      if (e instanceof ExceptionInInitializerError) {
        String culprit = culpritFrame(e.getCause(), java.util.Set.of("<clinit>"));
        return new ShippingException("class " + (culprit != null ? culprit : rootClass)
            + " failed to initialize: " + e.getCause(), e, false);
      }
      String culprit = culpritFrame(e, READ_HOOKS);
      if (culprit != null) {
        return new ShippingException("class " + culprit + " threw while being read back: " + e, e, false);
      }
      return new ShippingException("class " + (rootClass != null ? rootClass : "(unknown)") + " cannot be read back: " + e, e, false);
    }
  }

  /**
   * The class of the innermost frame that runs one of {@code methods} outside the JDK: the class
   * whose own serialization hook threw.
   */
  static String culpritFrame(Throwable e, java.util.Set<String> methods) {
    if (e == null) {
      return null;
    }
    for (StackTraceElement f : e.getStackTrace()) {
      String c = f.getClassName();
      if (methods.contains(f.getMethodName()) && !c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.")) {
        return c;
      }
    }
    return null;
  }

  /**
   * What a caller sees when a value it is owed cannot be read: a {@link NotShippableException}
   * naming what the value was, where it was read and its class.
   *
   * @param what the value, as "the task's result", "item 3", "queue item"
   * @param where "in the parent" or "in the child process"
   */
  static NotShippableException unreadable(String what, String where, ShippingException e) {
    String hint = e.classMissing
        ? " Parent and children need the same classes: put it on the children's class path (multiproc.process.class-path,"
            + " by default the parent's java.class.path) and on the parent's."
        : " Make the class readable where it is received, or send a different type.";
    return new NotShippableException("cannot read the " + what + " " + where + ": " + e.getMessage() + "." + hint,
        e.getCause());
  }

  /** An unchecked exception thrown by a class's own {@code writeObject} or {@code writeReplace}. */
  static final class WriteFailure extends IOException {
    private static final long serialVersionUID = 1L;

    WriteFailure(RuntimeException cause) {
      super(cause);
    }
  }

  private static final class BufOutputStream extends OutputStream {
    private final Buf buf;

    BufOutputStream(Buf buf) {
      this.buf = buf;
    }

    @Override
    public void write(int b) {
      buf.writeByte(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      buf.writeBytes(b, off, len);
    }
  }

  // ------------------------------------------------------------------ not shippable

  static NotShippableException notShippable(String what, Object root, IOException e) {
    StringBuilder m = new StringBuilder("cannot send the ").append(what)
        .append(ChildChannel.current != null ? " to the parent process: " : " to a child process: ");
    if (e instanceof WriteFailure w) {
      String culprit = culpritFrame(w.getCause(), java.util.Set.of("writeObject", "writeReplace", "writeExternal"));
      if (culprit == null && root != null) {
        culprit = root.getClass().getName();
      }
      m.append("class ").append(culprit).append(" threw while being written: ").append(w.getCause())
          .append(". Fix its writeObject/writeReplace, or send a different type.");
      return new NotShippableException(m.toString(), w.getCause());
    }
    String culprit = culpritClass(e);
    String foreign = culprit == null ? null : foreignHandle(culprit);
    if (foreign != null) {
      m.append("it captures ").append(foreign).append(" made by an in-JVM backend (thread or virtual-thread),"
          + " which cannot reach a child process");
      String path = ShippingPath.find(root, what, culprit);
      if (path != null) {
        m.append(" (path: ").append(path).append(')');
      }
      m.append(". Make the handle with the same backend as the task: Multiproc.backend(\"process\")"
          + " (or the backend you opened), not Multiproc.backend(\"thread\").");
    } else if (culprit != null) {
      m.append(culprit).append(" is not serializable");
      String path = ShippingPath.find(root, what, culprit);
      if (path != null) {
        m.append(". Path: ").append(path);
      }
      m.append(". Make that class Serializable, mark the field transient, or capture only what the task needs "
          + "in local variables (a lambda that uses a field or method of its class captures 'this').");
    } else {
      m.append(e);
    }
    return new NotShippableException(m.toString(), e);
  }

  /**
   * "a Queue" when {@code className} is a handle of the in-JVM backends (a {@code LocalQueue},
   * {@code LocalEvent}, ...), captured by a task of this backend by mistake; else null.
   */
  static String foreignHandle(String className) {
    String prefix = "dev.multiproc.engine.Local";
    if (!className.startsWith(prefix) || className.equals("dev.multiproc.engine.LocalBackend")) {
      return null;
    }
    String kind = className.substring(prefix.length()).replaceAll("\\$.*", "");
    return (kind.matches("[AEIOU].*") ? "an " : "a ") + kind;
  }

  private static String culpritClass(IOException e) {
    if (e instanceof NotSerializableException n) {
      return n.getMessage();
    }
    if (e instanceof InvalidClassException i && i.classname != null) {
      return i.classname;
    }
    return null;
  }

  /** Finds the field path from a root object to an instance of a given class, as serialization walks it. */
  static final class ShippingPath {
    private static final int MAX_OBJECTS = 10_000;

    private record Step(Object value, String path) {}

    static String find(Object root, String rootName, String className) {
      IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
      ArrayDeque<Step> queue = new ArrayDeque<>();
      queue.add(new Step(root, rootName));
      while (!queue.isEmpty() && seen.size() < MAX_OBJECTS) {
        Step s = queue.poll();
        Object v = s.value();
        if (v == null || seen.put(v, Boolean.TRUE) != null) {
          continue;
        }
        Class<?> c = v.getClass();
        if (c.getName().equals(className)) {
          return s.path() + " (" + className + ")";
        }
        if (c.isArray()) {
          if (!c.getComponentType().isPrimitive()) {
            for (int i = 0; i < Array.getLength(v); i++) {
              queue.add(new Step(Array.get(v, i), s.path() + "[" + i + "]"));
            }
          }
          continue;
        }
        if (v instanceof Collection<?> col && c.getName().startsWith("java.")) {
          int i = 0;
          for (Object e : col) {
            queue.add(new Step(e, s.path() + "[" + i++ + "]"));
          }
          continue;
        }
        if (v instanceof Map<?, ?> map && c.getName().startsWith("java.")) {
          for (Map.Entry<?, ?> e : map.entrySet()) {
            queue.add(new Step(e.getKey(), s.path() + " key " + e.getKey()));
            queue.add(new Step(e.getValue(), s.path() + "[" + e.getKey() + "]"));
          }
          continue;
        }
        if (!(v instanceof Serializable)) {
          continue;
        }
        for (Step next : fields(v, s.path())) {
          queue.add(next);
        }
      }
      return null;
    }

    private static List<Step> fields(Object v, String path) {
      List<Step> steps = new ArrayList<>();
      for (Class<?> c = v.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          int mod = f.getModifiers();
          if (Modifier.isStatic(mod) || Modifier.isTransient(mod) || f.getType().isPrimitive()) {
            continue;
          }
          try {
            f.setAccessible(true);
            steps.add(new Step(f.get(v), path + " -> " + f.getName()));
          } catch (RuntimeException | IllegalAccessException e) {
            // not reachable by reflection (a JDK internal): skip it
          }
        }
      }
      return steps;
    }
  }

  // ------------------------------------------------------------------ exceptions

  /**
   * Encodes what a task threw: the exception serialized if possible, and always a plain
   * description of its chain (class, message, frames) for when it cannot be rebuilt.
   */
  static void writeFailure(Throwable t, Buf out) {
    Buf serialized = new Buf(512);
    try {
      writeJavaUnchecked(t, serialized);
      out.writeByte(1).writeBytes(serialized.bytes, 0, serialized.size);
    } catch (IOException | RuntimeException e) {
      out.writeByte(0);
    }
    List<Throwable> chain = new ArrayList<>();
    IdentityHashMap<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable c = t; c != null && seen.put(c, Boolean.TRUE) == null; c = c.getCause()) {
      chain.add(c);
    }
    out.writeVarLong(chain.size());
    for (Throwable c : chain) {
      String className = c instanceof RemoteTaskException r ? r.remoteClassName() : c.getClass().getName();
      String message = c instanceof RemoteTaskException r ? r.remoteMessage() : c.getMessage();
      out.writeString(className).writeNullableString(message);
      StackTraceElement[] frames = c.getStackTrace();
      out.writeVarLong(frames.length);
      for (StackTraceElement f : frames) {
        out.writeNullableString(f.getClassLoaderName()).writeNullableString(f.getModuleName())
            .writeNullableString(f.getModuleVersion()).writeString(f.getClassName()).writeString(f.getMethodName())
            .writeNullableString(f.getFileName()).writeInt(f.getLineNumber());
      }
    }
  }

  static byte[] encodeFailure(Throwable t) {
    Buf out = new Buf(1024);
    writeFailure(t, out);
    return out.toByteArray();
  }

  /** The exception itself if it can be rebuilt here, else a {@link RemoteTaskException} chain. */
  static Throwable readFailure(Buf.In in) {
    Throwable rebuilt = null;
    if (in.readByte() == 1) {
      try {
        rebuilt = (Throwable) readJava(in);
      } catch (RuntimeException e) {
        rebuilt = null;
      }
    }
    int n = (int) in.readVarLong();
    String[] classes = new String[n];
    String[] messages = new String[n];
    StackTraceElement[][] traces = new StackTraceElement[n][];
    for (int i = 0; i < n; i++) {
      classes[i] = in.readString();
      messages[i] = in.readNullableString();
      StackTraceElement[] frames = new StackTraceElement[(int) in.readVarLong()];
      for (int j = 0; j < frames.length; j++) {
        frames[j] = new StackTraceElement(in.readNullableString(), in.readNullableString(), in.readNullableString(),
            in.readString(), in.readString(), in.readNullableString(), in.readInt());
      }
      traces[i] = frames;
    }
    if (rebuilt != null) {
      return rebuilt;
    }
    Throwable cause = null;
    for (int i = n - 1; i >= 0; i--) {
      cause = new RemoteTaskException(classes[i], messages[i], traces[i], cause);
    }
    return cause;
  }

  static Throwable decodeFailure(byte[] b) {
    return readFailure(new Buf.In(b));
  }
}
