package dev.multiproc;

import java.time.Duration;
import java.util.Optional;

/**
 * A multi-producer, multi-consumer FIFO queue that workers of the same backend share: Python's
 * {@code multiprocessing.Queue} (and {@code queue.Queue}).
 *
 * <h2>Usage</h2>
 *
 * <pre>{@code
 * Queue<Integer> q = Multiproc.queue();
 * Worker sender = Multiproc.worker(() -> {
 *   for (int x = 0; ; x++) { q.put(x); Thread.sleep(500); }
 * }).start();
 * for (int i = 0; i < 10; i++) System.out.println(q.get());
 * sender.terminate();
 * }</pre>
 *
 * <p>A task may capture the queue and use it inside any worker of the backend that made it; on
 * the process backend the queue lives in the parent JVM and children reach it through their pipe.
 * Items must then be serializable. Null items are refused with {@link NullPointerException}.
 *
 * <p>Items put by one thread are taken in the order that thread put them. An item is taken by
 * exactly one {@code get}: none is lost or duplicated, also when a worker using the queue dies (an
 * item whose taker died before receiving it goes back to the front of the queue).
 *
 * <h2>Interruption</h2>
 *
 * The blocking methods throw {@link InterruptedException} if the calling thread is interrupted
 * before or while waiting, and then have not changed the queue.
 *
 * <h2>Memory consistency</h2>
 *
 * Actions in a thread before it puts an item happen-before the actions that follow the
 * {@code get} that takes it, in whichever thread (or, for data that travels with the item, JVM).
 *
 * @param <T> the type of the items
 */
public interface Queue<T> {

  /**
   * Puts an item at the tail, waiting while the queue is full. When it returns, the item is in the
   * queue even if the calling worker dies the next moment.
   *
   * @param item the item
   * @throws InterruptedException if interrupted on entry or while waiting; the item was not added
   * @throws NullPointerException if {@code item} is null
   * @throws NotShippableException if the item must travel to another JVM and cannot be serialized
   */
  void put(T item) throws InterruptedException;

  /**
   * Puts an item at the tail, waiting up to {@code timeout} while the queue is full.
   *
   * @param item the item
   * @param timeout how long to wait for space; zero or negative means do not wait
   * @return true if the item was added, false if the queue was still full
   * @throws InterruptedException if interrupted while waiting; the item was not added
   * @throws NullPointerException if an argument is null
   * @throws NotShippableException if the item cannot be serialized
   */
  boolean put(T item, Duration timeout) throws InterruptedException;

  /**
   * Puts an item at the tail if there is space now: Python's {@code put_nowait}.
   *
   * @param item the item
   * @return true if the item was added, false if the queue was full
   * @throws NullPointerException if {@code item} is null
   * @throws NotShippableException if the item cannot be serialized
   */
  boolean tryPut(T item);

  /**
   * Takes the item at the head, waiting while the queue is empty.
   *
   * @return the item
   * @throws InterruptedException if interrupted on entry or while waiting; no item was taken
   */
  T get() throws InterruptedException;

  /**
   * Takes the item at the head, waiting up to {@code timeout} while the queue is empty.
   *
   * @param timeout how long to wait; zero or negative means do not wait
   * @return the item, or empty if the queue stayed empty
   * @throws InterruptedException if interrupted while waiting; no item was taken
   * @throws NullPointerException if {@code timeout} is null
   */
  Optional<T> get(Duration timeout) throws InterruptedException;

  /**
   * Takes the item at the head if there is one now: Python's {@code get_nowait}.
   *
   * @return the item, or empty if the queue was empty
   */
  Optional<T> tryGet();

  /**
   * The number of items in the queue, approximate when other threads or workers are using it:
   * Python's {@code qsize()}.
   *
   * @return the number of items
   */
  int size();
}
