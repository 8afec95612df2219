package dev.multiproc.benchmarks;

import dev.multiproc.Backend;
import dev.multiproc.Multiproc;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A short script, the whole of it: open a backend ({@code process}, or the one named by the first
 * argument), {@code Pool(2).map(x -> x * x)} over
 * 100,000 ints, close, exit. {@link SideBySide}'s {@code script} row times it from the outside,
 * JVM start to exit, against Python's {@code with Pool(2) as p: p.map(square, range(100_000))}.
 */
public final class ShortScript {

  private ShortScript() {}

  /**
   * Runs the script once.
   *
   * @param args the backend's name (default {@code process})
   */
  public static void main(String[] args) {
    List<Integer> items = IntStream.range(0, 100_000).boxed().toList();
    try (Backend backend = Multiproc.open(args.length > 0 ? args[0] : "process");
        Pool pool = backend.newPool(PoolOptions.builder().workers(2).build())) {
      List<Integer> out = pool.map(x -> x * x, items);
      if (out.get(99_999) != 99_999 * 99_999) {
        throw new AssertionError("wrong result");
      }
    }
  }
}
