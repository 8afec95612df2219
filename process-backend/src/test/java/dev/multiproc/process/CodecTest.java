package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Backend;
import dev.multiproc.NotShippableException;
import dev.multiproc.Queue;
import dev.multiproc.RemoteTaskException;
import dev.multiproc.Task;
import dev.multiproc.TaskFunction;
import dev.multiproc.engine.LocalBackend;
import dev.multiproc.engine.ThreadMaker;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CodecTest {

  @Test
  void commonValuesRoundTrip() {
    for (Object v : new Object[] {null, 42, -7L, 2.5, "héllo", true, false, new byte[] {1, 0, 2}, List.of(1, "x")}) {
      Object back = Codec.decodeValue(Codec.encodeValue(v, "value"));
      if (v instanceof byte[] b) {
        assertThat((byte[]) back).isEqualTo(b);
      } else {
        assertThat(back).isEqualTo(v);
      }
    }
  }

  /** Whether {@code list.contains(null)} throws, as List.of's lists do and Stream.toList's do not. */
  private static boolean refusesNull(List<?> list) {
    try {
      list.contains(null);
      return false;
    } catch (NullPointerException e) {
      return true;
    }
  }

  private static void assertSameList(Object back, List<?> original) {
    assertThat(back).isInstanceOf(List.class).isEqualTo(original);
    assertThat(back.getClass()).as("class of %s", original).isEqualTo(original.getClass());
    assertThat(refusesNull((List<?>) back)).as("refuses null: %s", original).isEqualTo(refusesNull(original));
    for (int i = 0; i < original.size(); i++) {
      if (original.get(i) instanceof List<?> inner) {
        assertSameList(((List<?>) back).get(i), inner);
      }
    }
  }

  @Test
  void listsOfPlainValuesComeBackAsTheSameKindOfList() {
    java.util.ArrayList<Object> withNull = new java.util.ArrayList<>(java.util.Arrays.asList(1, null, "x", 2.5, 7L, true));
    java.util.ArrayList<Object> nested = new java.util.ArrayList<>();
    nested.add(List.of(1, 2));
    nested.add(java.util.stream.Stream.of("a", null).toList());
    nested.add(new java.util.ArrayList<>());
    List<List<?>> lists = List.of(
        List.of(), List.of(1), List.of(1, 2), List.of(1, 2, 3, 4, 5), List.of("a", List.of(2L, 3.5)),
        List.copyOf(java.util.stream.Stream.of(1, 2).toList()), List.copyOf(java.util.stream.Stream.of(1, 2, 3).toList()),
        java.util.stream.Stream.of().toList(), java.util.stream.Stream.of(1).toList(), java.util.stream.Stream.of(1, 2).toList(),
        java.util.stream.Stream.of(1, null, 3).toList(), new java.util.ArrayList<>(), withNull, nested);
    for (List<?> list : lists) {
      byte[] encoded = Codec.encodeValue(list, "value");
      assertThat(encoded[0] & 0xFF).as("the fast path for %s", list).isEqualTo(Codec.LIST);
      assertSameList(Codec.decodeValue(encoded), list);
    }
    // a chunk of them, and of mixed plain values and nulls, as map items or results
    Object[] chunk = {List.of(1, 2, 3), null, 4, "five", withNull, nested, java.util.stream.Stream.of(6).toList()};
    Buf b = new Buf(16);
    Codec.writeArray(chunk, "item", 0, b);
    assertThat(b.bytes[0] & 0xFF).as("the fast path").isEqualTo(Codec.VALUE_ARRAY);
    Object[] back = Codec.readArray(new Buf.In(b.toByteArray()));
    assertThat(back).hasSize(chunk.length);
    for (int i = 0; i < chunk.length; i++) {
      if (chunk[i] instanceof List<?> list) {
        assertSameList(back[i], list);
      } else {
        assertThat(back[i]).isEqualTo(chunk[i]);
      }
    }
  }

  @Test
  void mapsOfPlainValuesComeBackAsTheSameKindOfMapIteratingAlike() throws Exception {
    java.util.HashMap<Object, Object> hash = new java.util.HashMap<>();
    for (int i = 0; i < 40; i++) {
      hash.put("k" + i, i % 3 == 0 ? null : List.of(i, "v" + i));
    }
    hash.put(null, 7L);
    java.util.HashMap<Object, Object> small = new java.util.HashMap<>(Map.of(1, "one", 2, "two"));
    List<Map<?, ?>> maps = new java.util.ArrayList<>(List.of(Map.of(), Map.of("a", 1), Map.of("a", 1, "b", List.of(2.5)), hash, small,
        new java.util.HashMap<>(), Map.of("nested", Map.of("x", new java.util.HashMap<>(Map.of(1, 2))))));
    for (int n : new int[] {11, 12, 13, 24, 25, 48, 96, 97, 1000, 1536}) { // 12 x 2^k: where a table could be sized twice as large
      java.util.HashMap<Object, Object> sized = new java.util.HashMap<>();
      for (int i = 0; i < n; i++) {
        sized.put(i * 7919 + "k", i);
      }
      maps.add(sized);
    }
    for (Map<?, ?> map : maps) {
      byte[] encoded = Codec.encodeValue(map, "value");
      assertThat(encoded[0] & 0xFF).as("the fast path for %s", map).isEqualTo(Codec.MAP);
      Object back = Codec.decodeValue(encoded);
      assertThat(back).isEqualTo(map);
      assertThat(back.getClass()).isEqualTo(map.getClass());
      if (map instanceof java.util.HashMap<?, ?>) {
        // in the order Java serialization's copy iterates in
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream o = new java.io.ObjectOutputStream(bytes)) {
          o.writeObject(map);
        }
        Object serialized = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())).readObject();
        assertThat(List.copyOf(((Map<?, ?>) back).keySet().stream().map(String::valueOf).toList()))
            .isEqualTo(((Map<?, ?>) serialized).keySet().stream().map(String::valueOf).toList());
      }
    }
    // other maps, or ones holding anything else, are serialized as before
    for (Object v : new Object[] {new java.util.LinkedHashMap<>(Map.of(1, 2)), new java.util.TreeMap<>(Map.of(1, 2)),
        Map.of(1, new Pair(1, 2)), java.util.Collections.unmodifiableMap(new java.util.HashMap<>(Map.of(1, 2)))}) {
      byte[] encoded = Codec.encodeValue(v, "value");
      assertThat(encoded[0] & 0xFF).as("serialized: %s", v).isEqualTo(Codec.JAVA);
      Object back = Codec.decodeValue(encoded);
      assertThat(back).isEqualTo(v);
      assertThat(back.getClass()).isEqualTo(v.getClass());
    }
    // a chunk of maps, as map items
    Object[] chunk = {Map.of("a", 1), hash, 3};
    Buf b = new Buf(16);
    Codec.writeArray(chunk, "item", 0, b);
    assertThat(b.bytes[0] & 0xFF).isEqualTo(Codec.VALUE_ARRAY);
    assertThat(Codec.readArray(new Buf.In(b.toByteArray()))).containsExactly(chunk);
  }

  @Test
  void stringsWithAnUnpairedSurrogateKeepIt() {
    String lone = "a\uD800b";
    String pair = "x\uD83D\uDE00y";
    assertThat(Codec.utf8Safe(pair)).isTrue();
    assertThat(Codec.utf8Safe(lone)).isFalse();
    assertThat(Codec.utf8Safe("\uDC00")).isFalse();
    assertThat(Codec.utf8Safe("\uD800")).isFalse();
    for (Object v : new Object[] {lone, pair, List.of(lone, "?"), Map.of("\uD800", 1, "?", 2)}) {
      assertThat(Codec.decodeValue(Codec.encodeValue(v, "value"))).isEqualTo(v);
    }
    Object[] column = {"a", lone, "c"};
    Buf b = new Buf(16);
    Codec.writeArray(column, "item", 0, b);
    assertThat(Codec.readArray(new Buf.In(b.toByteArray()))).containsExactly(column);
  }

  /** A list kind the fast path does not know. */
  static final class MyList extends java.util.ArrayList<Object> {}

  record Pair(int a, int b) implements Serializable {}

  @Test
  void otherListsAndListsOfOtherValuesStillRoundTripThroughSerialization() {
    MyList mine = new MyList();
    mine.add(1);
    java.util.ArrayList<Object> holdsItself = new java.util.ArrayList<>();
    holdsItself.add(1);
    holdsItself.add(holdsItself);
    java.util.List<Object> deep = List.of(0);
    for (int i = 0; i < 12; i++) {
      deep = List.of(deep);
    }
    for (Object v : new Object[] {mine, java.util.Arrays.asList(1, 2), java.util.Collections.unmodifiableList(new java.util.ArrayList<>(List.of(1))),
        new java.util.LinkedList<>(List.of(1, 2)), List.of(new Pair(1, 2)), List.of((short) 3), deep, List.of(1, List.of(mine))}) {
      byte[] encoded = Codec.encodeValue(v, "value");
      assertThat(encoded[0] & 0xFF).as("serialized: %s", v).isEqualTo(Codec.JAVA);
      Object back = Codec.decodeValue(encoded);
      assertThat(back).isEqualTo(v);
      assertThat(back.getClass()).isEqualTo(v.getClass());
    }
    Object back = Codec.decodeValue(Codec.encodeValue(holdsItself, "value"));
    assertThat(((List<?>) back).get(1)).isSameAs(back);

    // a list or byte array that appears twice stays one object, as serialization keeps it
    java.util.ArrayList<Object> shared = new java.util.ArrayList<>(List.of(1, 2));
    byte[] bytes = {1, 2};
    for (Object v : new Object[] {List.of(shared, shared), List.of(bytes, bytes)}) {
      List<?> twice = (List<?>) Codec.decodeValue(Codec.encodeValue(v, "value"));
      assertThat(twice.get(0)).isSameAs(twice.get(1));
    }
    Buf b = new Buf(16);
    Codec.writeArray(new Object[] {shared, 3, shared}, "item", 0, b);
    assertThat(b.bytes[0] & 0xFF).isEqualTo(Codec.JAVA_ARRAY);
    Object[] items = Codec.readArray(new Buf.In(b.toByteArray()));
    assertThat(items[0]).isSameAs(items[2]).isEqualTo(shared);
  }

  @Test
  void numberColumnsGrowABufferTooSmallForThem() {
    Object[][] columns = {
        {1, -2, Integer.MAX_VALUE, 0},
        {1L, -2L, Long.MIN_VALUE, 1L << 40},
        {0.5, -0.0, Double.NaN, Double.NEGATIVE_INFINITY},
        {"a", "bc", ""},
    };
    for (Object[] column : columns) {
      Object[] many = new Object[1000];
      for (int i = 0; i < many.length; i++) {
        many[i] = column[i % column.length];
      }
      Buf b = new Buf(16); // a reused buffer can be far smaller than the column
      b.writeByte(7);
      Codec.writeArray(many, 0, many.length, "item", 0, b);
      Buf.In in = new Buf.In(b.toByteArray());
      assertThat(in.readByte()).isEqualTo(7);
      assertThat(Codec.readArray(in)).containsExactly(many);
    }
  }

  @Test
  void aLambdaCapturingFastValuesGoesByReferenceAndOneThatCapturesNothingComesBackOnce() throws Exception {
    TaskFunction<Integer, Integer> square = x -> x * x;
    byte[] wire = Codec.encodeValue(square, "function");
    assertThat(wire.length).as("coordinates, not a serialization stream").isLessThan(400);
    assertThat(new String(wire, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("java.lang.invoke.SerializedLambda");
    @SuppressWarnings("unchecked")
    TaskFunction<Integer, Integer> back = (TaskFunction<Integer, Integer>) Codec.decodeValue(wire);
    assertThat(back.apply(7)).isEqualTo(49);
    assertThat(Codec.decodeValue(wire)).as("a lambda that captures nothing is rebuilt once").isSameAs(back);

    int offset = 3;
    String tag = "n";
    byte[] bytes = {1, 2};
    TaskFunction<Integer, String> capturing = x -> tag + (x + offset) + bytes.length + 2L + 0.5 + true;
    @SuppressWarnings("unchecked")
    TaskFunction<Integer, String> rebuilt = (TaskFunction<Integer, String>) Codec.decodeValue(Codec.encodeValue(capturing, "function"));
    assertThat(rebuilt.apply(1)).isEqualTo(capturing.apply(1)).isEqualTo("n422" + "0.5true");
    assertThat(Codec.decodeValue(Codec.encodeValue(capturing, "function"))).isNotSameAs(rebuilt);
  }

  @Test
  void aLambdaCapturingAnythingElseIsJavaSerializedWhole() throws Exception {
    List<Integer> list = List.of(1, 2);
    TaskFunction<Integer, Integer> f = x -> x + list.size();
    byte[] wire = Codec.encodeValue(f, "function");
    assertThat(new String(wire, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("java.lang.invoke.SerializedLambda");
    @SuppressWarnings("unchecked")
    TaskFunction<Integer, Integer> back = (TaskFunction<Integer, Integer>) Codec.decodeValue(wire);
    assertThat(back.apply(1)).isEqualTo(3);

    Object self = new Object(); // not serializable: the error names it, as before
    TaskFunction<Integer, Integer> bad = x -> x + self.hashCode();
    assertThatThrownBy(() -> Codec.encodeValue(bad, "function")).isInstanceOf(NotShippableException.class)
        .hasMessageContaining("java.lang.Object");
  }

  @Test
  void arraysRoundTripOnTheFastPathAndOtherwise() {
    Object[][] arrays = {
      {1, 2, 3}, {1L, 2L}, {1.5, -0.0}, {"a", "b"}, {1, "mixed", null}, {}, {null, null}, {List.of(1), List.of(2)}
    };
    for (Object[] a : arrays) {
      Buf b = new Buf();
      Codec.writeArray(a, "item", 0, b);
      assertThat(Codec.readArray(new Buf.In(b.toByteArray()))).containsExactly(a);
    }
    Buf ints = new Buf();
    Codec.writeArray(new Object[] {1, 2, 3, 4}, "item", 0, ints);
    assertThat(ints.size).as("4 ints take a tag, a count and 16 bytes").isEqualTo(18);
  }

  @Test
  void columnsOfNumbersComeBackUnboxedFromAnyOffsetAndATruncatedOneIsRefused() {
    Buf b = new Buf();
    b.writeByte(99); // something before the column: the bulk read must start at the reader's position
    Codec.writeArray(new Object[] {1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE}, "item", 0, b);
    Codec.writeArray(new Object[] {1L, Long.MIN_VALUE}, "item", 0, b);
    Codec.writeArray(new Object[] {1.5, -0.0, Double.NaN}, "item", 0, b);
    Buf.In in = new Buf.In(b.toByteArray());
    in.readByte();
    assertThat((int[]) Codec.readColumn(in)).containsExactly(1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE);
    assertThat((long[]) Codec.readColumn(in)).containsExactly(1L, Long.MIN_VALUE);
    assertThat((double[]) Codec.readColumn(in)).containsExactly(1.5, -0.0, Double.NaN);
    assertThat(in.remaining()).isZero();
    Buf ints = new Buf();
    Codec.writeArray(new Object[] {1, 2, 3}, "item", 0, ints);
    assertThatThrownBy(() -> Codec.readColumn(new Buf.In(ints.bytes, 0, ints.size - 1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("truncated message");
  }

  /** Serializable, but holds a thread, which is not. */
  static final class Holder implements Serializable {
    private static final long serialVersionUID = 1L;
    final Thread worker = new Thread(() -> {});

    Task task() {
      return new Task() {
        private static final long serialVersionUID = 1L;

        @Override
        public void run() {
          worker.start();
        }
      };
    }
  }

  @Test
  void notShippableNamesTheClassAndTheFieldPath() {
    Task task = new Holder().task();
    assertThatThrownBy(() -> Codec.encodeValue(task, "task"))
        .isInstanceOf(NotShippableException.class)
        .hasMessageContaining("cannot send the task to a child process: java.lang.Thread is not serializable")
        .hasMessageContaining("Path: task -> this$0 -> worker (java.lang.Thread)");
  }

  @Test
  void aHandleOfAnInJvmBackendCapturedByAProcessTaskSaysWhatHappened() throws Exception {
    try (Backend threads = new LocalBackend("thread", ThreadMaker.platform(), java.time.Duration.ofSeconds(5))) {
      Queue<Integer> wrong = threads.newQueue(0);
      Task task = () -> wrong.put(1);
      assertThatThrownBy(() -> Codec.encodeValue(task, "task"))
          .isInstanceOf(NotShippableException.class)
          .hasMessageContaining("cannot send the task to a child process: it captures a Queue made by an in-JVM backend")
          .hasMessageContaining("Make the handle with the same backend as the task")
          .hasMessageNotContaining("Make that class Serializable");
    }
  }

  /** Not serializable; a lambda that reads its field captures it. */
  static final class Owner {
    final int base = 10;

    TaskFunction<Integer, Integer> adder() {
      return x -> x + base;
    }
  }

  @Test
  void aLambdaThatCapturesThisIsNamedWithItsCapturedField() {
    assertThatThrownBy(() -> Codec.encodeValue(new Owner().adder(), "function"))
        .isInstanceOf(NotShippableException.class)
        .hasMessageContaining(Owner.class.getName() + " is not serializable")
        .hasMessageContaining("Path: function -> arg$1 (" + Owner.class.getName() + ")")
        .hasMessageContaining("captures 'this'");
  }

  @Test
  void anItemThatCannotBeSentIsNamedByItsIndex() {
    Object[] items = {"fine", new Object()};
    assertThatThrownBy(() -> Codec.writeArray(items, "item", 40, new Buf()))
        .isInstanceOf(NotShippableException.class)
        .hasMessageContaining("cannot send the item 41 to a child process: java.lang.Object is not serializable");
  }

  /** An exception that cannot be serialized: it holds a thread. */
  static final class Unshippable extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final Thread thread = Thread.currentThread();

    Unshippable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @Test
  void anExceptionThatCannotBeSerializedComesBackAsRemoteTaskExceptionWithItsFacts() {
    Unshippable original = new Unshippable("bad thing", new IllegalStateException("root cause"));
    Throwable back = Codec.decodeFailure(Codec.encodeFailure(original));
    assertThat(back).isInstanceOf(RemoteTaskException.class)
        .hasMessage(Unshippable.class.getName() + ": bad thing");
    RemoteTaskException r = (RemoteTaskException) back;
    assertThat(r.remoteClassName()).isEqualTo(Unshippable.class.getName());
    assertThat(r.remoteMessage()).isEqualTo("bad thing");
    assertThat(r.getStackTrace()).isEqualTo(original.getStackTrace());
    assertThat(r.getCause()).isInstanceOf(RemoteTaskException.class).hasMessage("java.lang.IllegalStateException: root cause");
    assertThat(r.getCause().getStackTrace()).isEqualTo(original.getCause().getStackTrace());
  }

  @Test
  void aSerializableExceptionComesBackAsItself() {
    IllegalArgumentException original = new IllegalArgumentException("bad", new ArithmeticException("/ by zero"));
    Throwable back = Codec.decodeFailure(Codec.encodeFailure(original));
    assertThat(back).isInstanceOf(IllegalArgumentException.class).hasMessage("bad")
        .hasCauseInstanceOf(ArithmeticException.class);
    assertThat(back.getStackTrace()).isEqualTo(original.getStackTrace());
  }

  /** Serializable; its readObject throws. */
  static final class Unreadable implements Serializable {
    @java.io.Serial private static final long serialVersionUID = 1L;

    @java.io.Serial
    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
      in.defaultReadObject();
      throw new IllegalStateException("no reading");
    }
  }

  /** Serializable; its writeObject throws an unchecked exception. */
  static final class Unwritable implements Serializable {
    @java.io.Serial private static final long serialVersionUID = 1L;

    @java.io.Serial
    private void writeObject(java.io.ObjectOutputStream out) {
      throw new IllegalStateException("no writing");
    }
  }

  /** An exception whose readObject throws. */
  static final class UnreadableException extends RuntimeException {
    @java.io.Serial private static final long serialVersionUID = 1L;

    UnreadableException(String message) {
      super(message);
    }

    @java.io.Serial
    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
      in.defaultReadObject();
      throw new IllegalStateException("no reading");
    }
  }

  @Test
  void aValueWhoseReadObjectThrowsFailsWithTheClassNamedAndTheRestOfTheMessageStillReads() {
    Buf b = new Buf();
    Codec.writeValue(new Unreadable(), "result", b);
    Codec.writeValue("after", "result", b);
    Buf.In in = new Buf.In(b.toByteArray());
    assertThatThrownBy(() -> Codec.readValue(in)).isInstanceOfSatisfying(Codec.ShippingException.class, e -> {
      assertThat(e).hasMessage("class " + Unreadable.class.getName()
          + " threw while being read back: java.lang.IllegalStateException: no reading");
      assertThat(e.classMissing).isFalse();
      assertThat(Codec.unreadable("task's result", "in the parent", e))
          .hasMessageStartingWith("cannot read the task's result in the parent: class " + Unreadable.class.getName())
          .hasCauseInstanceOf(IllegalStateException.class);
    });
    assertThat(Codec.readValue(in)).as("the value after the unreadable one").isEqualTo("after");
  }

  @Test
  void anExceptionWhoseReadObjectThrowsArrivesAsARemoteTaskExceptionAndTheRestStillReads() {
    Buf b = new Buf();
    Codec.writeFailure(new UnreadableException("boom"), b);
    Codec.writeValue(7, "result", b);
    Buf.In in = new Buf.In(b.toByteArray());
    assertThat(Codec.readFailure(in)).isInstanceOfSatisfying(RemoteTaskException.class, e -> {
      assertThat(e.remoteClassName()).isEqualTo(UnreadableException.class.getName());
      assertThat(e.remoteMessage()).isEqualTo("boom");
    });
    assertThat(Codec.readValue(in)).isEqualTo(7);
  }

  @Test
  void aValueWhoseWriteObjectThrowsIsNotShippableAndNamesTheClass() {
    assertThatThrownBy(() -> Codec.encodeValue(new Unwritable(), "task's result"))
        .isInstanceOf(NotShippableException.class)
        .hasMessageContaining("cannot send the task's result to a child process: class " + Unwritable.class.getName()
            + " threw while being written: java.lang.IllegalStateException: no writing")
        .hasCauseInstanceOf(IllegalStateException.class);
    Object[] items = {1, new Unwritable(), 3};
    assertThatThrownBy(() -> Codec.writeArray(items, "item", 10, new Buf()))
        .isInstanceOf(NotShippableException.class).hasMessageContaining("item 11").hasMessageContaining(Unwritable.class.getName());
  }

  @Test
  void theRootClassOfASerializedObjectIsReadFromItsHeader() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    Codec.OBJECTS.write(new Unreadable(), bytes);
    byte[] b = bytes.toByteArray();
    assertThat(Codec.rootClass(b, 0, b.length)).isEqualTo(Unreadable.class.getName());
    assertThat(Codec.rootClass(new byte[] {1, 2, 3}, 0, 3)).isNull();
  }
}
