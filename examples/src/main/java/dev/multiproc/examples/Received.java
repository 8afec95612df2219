package dev.multiproc.examples;

import dev.multiproc.Queue;
import dev.multiproc.Worker;
import java.time.Duration;
import java.util.Optional;

/**
 * The receiving side's one addition to the seed: where Python's {@code q.get()} would wait forever
 * for a sender that has died, these fail with the sender's exit code and exception.
 */
final class Received {

  /** How often a waiting receiver checks that its sender is still alive. */
  private static final Duration CHECK = Duration.ofMillis(200);

  private Received() {}

  /**
   * Python's {@code q.get()}: takes the next item, waiting as long as {@code sender} is alive.
   *
   * @throws IllegalStateException if the sender ended and the queue is empty
   * @throws InterruptedException if interrupted while waiting
   */
  static <T> T get(Queue<T> q, Worker sender) throws InterruptedException {
    while (true) {
      Optional<T> x = q.get(CHECK);
      if (x.isPresent()) {
        return x.get();
      }
      if (!sender.isAlive()) {
        // It may have put a last item just before it ended.
        return q.tryGet().orElseThrow(() -> ended(sender, "before putting an item on the queue"));
      }
    }
  }

  /**
   * Takes the item a worker put on {@code q} as its result, once the worker has ended.
   *
   * @throws IllegalStateException if the worker failed, or ended without putting an item
   * @throws InterruptedException if interrupted while waiting
   */
  static <T> T result(Queue<T> q, Worker worker) throws InterruptedException {
    worker.join();
    if (worker.exitCode().orElse(-1) != 0) {
      throw ended(worker, "without a result");
    }
    // What a task put before it ended is on the queue by the time join() returns; wait a little
    // anyway, for backends that deliver asynchronously.
    return q.get(Duration.ofSeconds(10)).orElseThrow(() -> ended(worker, "without putting its result on the queue"));
  }

  private static IllegalStateException ended(Worker w, String what) {
    String code = w.exitCode().isPresent() ? "exit code " + w.exitCode().getAsInt() : "still running";
    return new IllegalStateException("worker " + w.name() + " ended " + what + " (" + code + ")",
        w.failure().orElse(null));
  }
}
