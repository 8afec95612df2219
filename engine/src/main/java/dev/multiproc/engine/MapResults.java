package dev.multiproc.engine;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The list a {@code map} returns: the chunks' results as they came, one segment per chunk, with
 * no copying into one array. A segment is an {@code Object[]} or, for numbers that crossed a
 * process boundary, an {@code int[]}, {@code long[]} or {@code double[]} boxed one element at a
 * time when read. A million numbers then cost four or eight megabytes and no objects until they
 * are used, which keeps them out of the garbage collector's way while the program runs on.
 *
 * <p>A mutable list like {@link ArrayList}: {@code set} boxes the one segment it touches, and the
 * first change of size turns the whole into an {@code ArrayList} it then delegates to. Not
 * thread-safe. Serializes as an {@code ArrayList}. Boxed numbers are equal, but not necessarily
 * the same object, from one {@code get} to the next.
 */
final class MapResults<E> extends AbstractList<E> implements RandomAccess, Serializable {

  @Serial private static final long serialVersionUID = 1L;

  private final int size;
  private final int chunk;
  private final Object[] segments;
  private ArrayList<E> flat;

  /**
   * @param size the number of results
   * @param chunk the number of results per segment (the last may hold fewer)
   * @param segments one {@code Object[]} or primitive array per chunk, in order
   */
  MapResults(int size, int chunk, Object[] segments) {
    this.size = size;
    this.chunk = chunk;
    this.segments = segments;
  }

  @Override
  public int size() {
    return flat != null ? flat.size() : size;
  }

  @Override
  @SuppressWarnings("unchecked")
  public E get(int index) {
    if (flat != null) {
      return flat.get(index);
    }
    Objects.checkIndex(index, size);
    Object s = segments[index / chunk];
    int i = index % chunk;
    if (s instanceof Object[] a) {
      return (E) a[i];
    }
    if (s instanceof int[] a) {
      return (E) Integer.valueOf(a[i]);
    }
    if (s instanceof long[] a) {
      return (E) Long.valueOf(a[i]);
    }
    return (E) Double.valueOf(((double[]) s)[i]);
  }

  @Override
  @SuppressWarnings("unchecked")
  public E set(int index, E element) {
    if (flat != null) {
      return flat.set(index, element);
    }
    Objects.checkIndex(index, size);
    int k = index / chunk;
    if (!(segments[k] instanceof Object[])) {
      segments[k] = Job.box(segments[k]);
    }
    Object[] a = (Object[]) segments[k];
    E old = (E) a[index % chunk];
    a[index % chunk] = element;
    return old;
  }

  @Override
  public void add(int index, E element) {
    flat().add(index, element);
    modCount++;
  }

  @Override
  public E remove(int index) {
    E e = flat().remove(index);
    modCount++;
    return e;
  }

  @Override
  protected void removeRange(int fromIndex, int toIndex) {
    flat().subList(fromIndex, toIndex).clear();
    modCount++;
  }

  @Override
  public void clear() {
    flat().clear();
    modCount++;
  }

  @Override
  public Object[] toArray() {
    if (flat != null) {
      return flat.toArray();
    }
    Object[] out = new Object[size];
    for (int k = 0, at = 0; k < segments.length; k++) {
      Object[] a = Job.box(segments[k]);
      System.arraycopy(a, 0, out, at, a.length);
      at += a.length;
    }
    return out;
  }

  private ArrayList<E> flat() {
    if (flat == null) {
      ArrayList<E> copy = new ArrayList<>(size + 8);
      copy.addAll(this);
      flat = copy;
    }
    return flat;
  }

  @Serial
  private Object writeReplace() {
    return new ArrayList<>(this);
  }

  /** @return a copy as a plain list (for tests) */
  List<E> copy() {
    return new ArrayList<>(this);
  }
}
