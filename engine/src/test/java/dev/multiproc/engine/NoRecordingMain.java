package dev.multiproc.engine;

import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import java.time.Duration;
import java.util.List;

/**
 * A program for {@link NoRecordingTest}: a pool's map and a queue get that waits, on the engine's
 * in-JVM backend, then {@code DONE}.
 */
public final class NoRecordingMain {

  private NoRecordingMain() {}

  public static void main(String[] args) throws Exception {
    try (LocalBackend backend = new LocalBackend("thread", ThreadMaker.platform(), Duration.ofSeconds(10));
        Pool pool = backend.newPool(PoolOptions.builder().workers(2).build())) {
      List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));
      Queue<String> q = backend.newQueue(0);
      boolean empty = q.get(Duration.ofMillis(1)).isEmpty(); // waits: the get's wait path
      System.out.println("DONE " + squares + " " + empty);
    }
  }
}
