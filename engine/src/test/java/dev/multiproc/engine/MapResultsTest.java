package dev.multiproc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The list map returns behaves as an ArrayList with the same elements, whatever its segments hold. */
class MapResultsTest {

  /** 0..9 in chunks of 4: ints, longs-as-objects, doubles-free mix. */
  private static MapResults<Object> sample() {
    return new MapResults<>(10, 4, new Object[] {
      new int[] {0, 1, 2, 3}, new Object[] {4, 5, null, 7}, new long[] {8L, 9L}
    });
  }

  private static List<Object> expected() {
    List<Object> e = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
    e.add(null);
    e.addAll(List.of(7, 8L, 9L));
    return e;
  }

  @Test
  void readsLikeTheArrayListOfItsElements() {
    MapResults<Object> r = sample();
    assertThat(r).hasSize(10).isEqualTo(expected());
    assertThat(r.hashCode()).isEqualTo(expected().hashCode());
    assertThat(r.toArray()).containsExactly(expected().toArray());
    assertThat(r.subList(3, 6)).containsExactly(3, 4, 5);
    assertThat(r.indexOf(8L)).isEqualTo(8);
    assertThat(r.contains(null)).isTrue();
    assertThatThrownBy(() -> r.get(10)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(new MapResults<>(2, 1, new Object[] {new double[] {1.5}, new double[] {-2.0}})).containsExactly(1.5, -2.0);
  }

  @Test
  void setBoxesOnlyWhatItTouches() {
    MapResults<Object> r = sample();
    assertThat(r.set(1, "one")).isEqualTo(1);
    assertThat(r.get(1)).isEqualTo("one");
    assertThat(r.get(2)).isEqualTo(2);
    List<Object> e = expected();
    e.set(1, "one");
    assertThat(r).isEqualTo(e);
  }

  @Test
  void changesOfSizeWorkAsOnAnArrayList() {
    MapResults<Object> r = sample();
    List<Object> e = expected();
    r.add("end");
    e.add("end");
    r.add(0, "start");
    e.add(0, "start");
    r.remove(5);
    e.remove(5);
    r.subList(2, 4).clear();
    e.subList(2, 4).clear();
    assertThat(r).isEqualTo(e).hasSize(e.size());
    r.clear();
    assertThat(r).isEmpty();
  }

  @Test
  void iteratorsFailFastOnAChangeOfSize() {
    MapResults<Object> r = sample();
    Iterator<Object> it = r.iterator();
    it.next();
    r.add("x");
    assertThatThrownBy(it::next).isInstanceOf(ConcurrentModificationException.class);
  }

  @Test
  void serializesAsAnArrayList() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(sample());
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      Object back = in.readObject();
      assertThat(back).isInstanceOf(ArrayList.class).isEqualTo(expected());
    }
  }
}
