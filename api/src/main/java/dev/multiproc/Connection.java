package dev.multiproc;

import java.time.Duration;
import java.util.Optional;

/**
 * One end of a {@link Pipe}: Python's {@code multiprocessing.connection.Connection}. Items sent on
 * one end are received on the other in the order sent; sending never blocks (the channel is
 * unbounded).
 *
 * <h2>Closing</h2>
 *
 * {@link #close()} closes this end: its own later calls throw {@link IllegalStateException}, and
 * threads blocked in its {@code recv} get that too. The other end still receives what was sent
 * before, then reads end-of-file: {@code recv} throws {@link java.io.UncheckedIOException} with an
 * {@link java.io.EOFException} (Python's {@code EOFError}), and its {@code send} throws
 * {@link IllegalStateException} (Python's {@code BrokenPipeError}). On the process backend an end
 * used by a child process that dies is closed for it: the other end reads what the child sent,
 * then end-of-file.
 *
 * <p>A task may capture an end and use it inside any worker of the backend that made it. Items
 * must then be serializable; a receiver in another JVM gets a copy. An end is meant for one user
 * at a time, as in Python, but concurrent use is safe: each item is received once.
 *
 * <h2>Interruption</h2>
 *
 * The waiting {@code recv} methods throw {@link InterruptedException} if the calling thread is
 * interrupted on entry or while waiting; no item is then taken.
 *
 * <h2>Memory consistency</h2>
 *
 * Actions before a {@code send} happen-before the actions after the {@code recv} that receives the
 * item.
 *
 * @param <T> the type of the items
 */
public interface Connection<T> extends AutoCloseable {

  /**
   * Sends an item to the other end: Python's {@code send(obj)}. Does not wait for a receiver.
   *
   * @param item the item
   * @throws NullPointerException if {@code item} is null
   * @throws IllegalStateException if this end or the other end is closed
   * @throws NotShippableException if the item must travel to another JVM and cannot be serialized
   */
  void send(T item);

  /**
   * Receives the next item, waiting until one arrives: Python's {@code recv()}.
   *
   * @return the item
   * @throws InterruptedException if interrupted on entry or while waiting
   * @throws java.io.UncheckedIOException with an {@link java.io.EOFException} if the other end is
   *     closed and every item it sent has been received
   * @throws IllegalStateException if this end is closed (also while waiting)
   */
  T recv() throws InterruptedException;

  /**
   * Receives the next item, waiting up to {@code timeout}.
   *
   * @param timeout how long to wait; zero or negative means do not wait
   * @return the item, or empty if none arrived in time
   * @throws InterruptedException if interrupted on entry or while waiting
   * @throws java.io.UncheckedIOException with an {@link java.io.EOFException} as {@link #recv()}
   * @throws IllegalStateException if this end is closed
   * @throws NullPointerException if {@code timeout} is null
   */
  Optional<T> recv(Duration timeout) throws InterruptedException;

  /**
   * Whether {@link #recv()} would return or throw end-of-file now without waiting: Python's
   * {@code poll()}.
   *
   * @return true if an item (or end-of-file) is ready
   * @throws IllegalStateException if this end is closed
   */
  boolean poll();

  /** Closes this end (see above). Idempotent. */
  @Override
  void close();
}
