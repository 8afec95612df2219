package dev.multiproc;

import java.time.Duration;

/**
 * A {@link Queue} that counts unfinished items: Python's {@code multiprocessing.JoinableQueue} (and
 * {@code queue.Queue}'s {@code task_done()}/{@code join()}), made by
 * {@link Multiproc#joinableQueue()}.
 *
 * <p>Every item put raises the count of unfinished items; a consumer calls {@link #taskDone()}
 * once for each item it took when it has finished with it; {@link #join()} waits until the count
 * is zero.
 *
 * <h2>Usage</h2>
 *
 * <pre>{@code
 * JoinableQueue<String> work = Multiproc.joinableQueue();
 * Worker consumer = Multiproc.worker(() -> {
 *   while (true) { process(work.get()); work.taskDone(); }
 * }, WorkerOptions.builder().daemon(true).build()).start();
 * for (String s : inputs) work.put(s);
 * work.join();                                // every item has been processed
 * }</pre>
 *
 * <p>An item counts from the moment its {@code put} adds it (a put that times out or is
 * interrupted does not count). On the process backend the count lives in the parent JVM; an item
 * that goes back to the queue because its taker died was already counted and counts once.
 *
 * <h2>Memory consistency</h2>
 *
 * Besides {@link Queue}'s guarantees: actions before a {@code taskDone()} happen-before the
 * actions after a {@code join} that it lets return.
 *
 * @param <T> the item type
 */
public interface JoinableQueue<T> extends Queue<T> {

  /**
   * Marks one item taken from the queue as finished: Python's {@code task_done()}. Never blocks
   * for long; wakes the joiners when the count reaches zero.
   *
   * @throws IllegalStateException if called more times than items were put (Python's
   *     {@code ValueError}); the count stays zero
   */
  void taskDone();

  /**
   * Waits until every item put has been marked finished: Python's {@code join()}. Returns at once
   * if there is none unfinished.
   *
   * @throws InterruptedException if interrupted on entry or while waiting
   */
  void join() throws InterruptedException;

  /**
   * As {@link #join()}, waiting at most {@code timeout}.
   *
   * @param timeout how long to wait; zero or negative means do not wait
   * @return true if no item is unfinished, false if the time ran out first
   * @throws InterruptedException if interrupted on entry or while waiting
   * @throws NullPointerException if {@code timeout} is null
   */
  boolean join(Duration timeout) throws InterruptedException;
}
