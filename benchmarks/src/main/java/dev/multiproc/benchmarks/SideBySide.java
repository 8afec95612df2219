package dev.multiproc.benchmarks;

import dev.multiproc.Backend;
import dev.multiproc.Multiproc;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The process backend's side of the side-by-side comparison with Python's {@code multiprocessing}
 * ({@code benchmarks/python/mp_side_by_side.py} does the same work; {@code benchmarks/side-by-side.sh}
 * runs both and prints the ratios). Each measurement runs {@code rounds} times and prints one line
 * {@code RESULT <name> <median> <best> <unit>}; the first rounds include the JIT's warm-up, as
 * they do in a real program, so the median is the fair figure.
 *
 * <ul>
 *   <li>{@code map}: {@code Pool(2).map(x -> x + 1, range(1,000,000))}, default chunks (items/s)
 *   <li>{@code map1}: the same over 100,000 items with chunk size 1 (items/s)
 *   <li>{@code queue}: a child puts ints on a Queue, the parent gets them; each round is 200,000
 *       of them (items/s)
 *   <li>{@code start}: a bare JVM's start-and-echo ({@link EchoMain}) against a process-backend
 *       pool of one being ready and returning its first result (ms)
 * </ul>
 *
 * Usage: {@code java -cp benchmarks.jar dev.multiproc.benchmarks.SideBySide [rounds] [what...]}
 */
public final class SideBySide {

  private SideBySide() {}

  /**
   * Runs the measurements.
   *
   * @param args the number of rounds (default 7), then the measurements to run (default all)
   * @throws Exception if a measurement fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    List<String> what = args.length > 1 ? Arrays.asList(args).subList(1, args.length)
        : List.of("map", "map1", "queue", "start");
    try (Backend backend = Multiproc.open("process")) {
      for (String w : what) {
        switch (w) {
          case "map" -> map(backend, rounds, 1_000_000, 0, "map");
          case "map1" -> map(backend, rounds, 100_000, 1, "map1");
          case "queue" -> queue(backend, rounds, 200_000);
          case "start" -> start(backend, rounds);
          default -> throw new IllegalArgumentException("unknown measurement " + w + "; use map, map1, queue, start");
        }
      }
    }
  }

  private static void map(Backend backend, int rounds, int n, int chunk, String name) {
    List<Integer> items = IntStream.range(0, n).boxed().toList();
    double[] rates = new double[rounds];
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(2).build())) {
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        List<Integer> out = chunk == 0 ? pool.map(x -> x + 1, items) : pool.map(x -> x + 1, items, chunk);
        rates[r] = n / ((System.nanoTime() - t0) / 1e9);
        if (out.get(n - 1) != n) {
          throw new AssertionError("wrong result");
        }
      }
    }
    report(name, rates, "items/s", true);
  }

  /** One producer child puts {@code rounds * n} ints; each round times the parent getting {@code n}. */
  private static void queue(Backend backend, int rounds, int n) throws Exception {
    double[] rates = new double[rounds];
    Queue<Integer> q = backend.newQueue(0);
    int total = rounds * n;
    Worker w = backend.newWorker(() -> {
      for (int i = 0; i < total; i++) {
        q.put(i);
      }
    }, WorkerOptions.defaults()).start();
    long expected = 0;
    long sum = 0;
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sum += q.get();
        expected += (long) r * n + i;
      }
      rates[r] = n / ((System.nanoTime() - t0) / 1e9);
    }
    w.join();
    if (sum != expected) {
      throw new AssertionError("lost items");
    }
    report("queue", rates, "items/s", true);
  }

  private static void start(Backend backend, int rounds) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    String cp = System.getProperty("java.class.path");
    double[] echo = new double[rounds];
    double[] ready = new double[rounds];
    double[] first = new double[rounds];
    // One pool first, so that the class-data-sharing archive exists (as after any first use).
    try (Pool warm = backend.newPool(PoolOptions.builder().workers(1).build())) {
      warm.submit(() -> 1).get();
    }
    for (int r = 0; r < rounds; r++) {
      echo[r] = echo(java, cp);
      long t0 = System.nanoTime();
      try (Pool pool = backend.newPool(PoolOptions.builder().workers(1).build())) {
        ready[r] = (System.nanoTime() - t0) / 1e6;
        pool.submit(() -> 1).get();
        first[r] = (System.nanoTime() - t0) / 1e6;
      }
    }
    report("start-echo", echo, "ms", false);
    report("start-ready", ready, "ms", false);
    report("start-first-result", first, "ms", false);
  }

  private static double echo(String java, String cp) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(java, "-cp", cp, EchoMain.class.getName()).start();
    p.getOutputStream().write('x');
    p.getOutputStream().flush();
    if (p.getInputStream().read() != 'x') {
      throw new IOException("no echo");
    }
    double ms = (System.nanoTime() - t0) / 1e6;
    p.waitFor();
    return ms;
  }

  private static void report(String name, double[] values, String unit, boolean higherIsBetter) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    double best = higherIsBetter ? sorted[sorted.length - 1] : sorted[0];
    List<String> all = new ArrayList<>();
    for (double v : values) {
      all.add(String.format("%.0f", v));
    }
    System.out.printf("RESULT %s %.1f %.1f %s   rounds: %s%n", name, median, best, unit, all);
  }
}
