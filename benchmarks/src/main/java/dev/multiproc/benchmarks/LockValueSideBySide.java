package dev.multiproc.benchmarks;

import dev.multiproc.Backend;
import dev.multiproc.Event;
import dev.multiproc.Lock;
import dev.multiproc.Multiproc;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code Lock} acquire/release and {@code Value.addAndGet} per backend, side by side with
 * {@code benchmarks/python/mp_lock_value.py} (Python's {@code multiprocessing.Lock} and
 * {@code Value}). Each measurement runs {@code rounds} times in the pool's workers (child JVMs on
 * the process backend) and prints {@code RESULT <backend>-<name> <median> <best> ops/s}:
 *
 * <ul>
 *   <li>{@code lock}: one worker acquires and releases an uncontended lock {@code n} times
 *   <li>{@code lock2}: two workers do that at once on the same lock (total operations per second)
 *   <li>{@code value}: one worker calls {@code addAndGet(1)} {@code n} times
 *   <li>{@code value2}: two workers at once on the same value; the total is checked exactly
 *   <li>{@code sem}: one worker acquires and releases a {@code Semaphore(2)} {@code n} times
 *   <li>{@code isset}: one worker polls a clear {@code Event}'s {@code isSet()} {@code value-n} times
 *       (the loop of a worker that runs until the event is set)
 * </ul>
 *
 * Usage: {@code java -cp benchmarks.jar dev.multiproc.benchmarks.LockValueSideBySide <backend> [rounds] [n] [value-n]}
 */
public final class LockValueSideBySide {

  private LockValueSideBySide() {}

  /**
   * Runs the measurements.
   *
   * @param args the backend, then the rounds (default 7), the operations per worker per round
   *     (default 20,000), and those of the value measurements (default: the same)
   * @throws Exception if a measurement fails
   */
  public static void main(String[] args) throws Exception {
    String name = args.length > 0 ? args[0] : "process";
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    int n = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
    int valueN = args.length > 3 ? Integer.parseInt(args[3]) : n;
    try (Backend backend = Multiproc.open(name); Pool pool = backend.newPool(PoolOptions.builder().workers(2).build())) {
      Lock lock = backend.newLock();
      Value value = backend.newValue(0);
      run(name + "-lock", rounds, n, pool, 1, () -> {
        for (int i = 0; i < n; i++) {
          lock.acquire();
          lock.release();
        }
        return null;
      });
      run(name + "-lock2", rounds, n, pool, 2, () -> {
        for (int i = 0; i < n; i++) {
          lock.acquire();
          lock.release();
        }
        return null;
      });
      run(name + "-value", rounds, valueN, pool, 1, () -> {
        for (int i = 0; i < valueN; i++) {
          value.addAndGet(1);
        }
        return null;
      });
      value.set(0);
      run(name + "-value2", rounds, valueN, pool, 2, () -> {
        for (int i = 0; i < valueN; i++) {
          value.addAndGet(1);
        }
        return null;
      });
      if (value.get() != 2L * valueN * rounds) {
        throw new AssertionError("lost updates: " + value.get() + " != " + 2L * valueN * rounds);
      }
      dev.multiproc.Semaphore sem = backend.newSemaphore(2);
      run(name + "-sem", rounds, n, pool, 1, () -> {
        for (int i = 0; i < n; i++) {
          sem.acquire();
          sem.release();
        }
        return null;
      });
      Event stop = backend.newEvent();
      run(name + "-isset", rounds, valueN, pool, 1, () -> {
        for (int i = 0; i < valueN; i++) {
          if (stop.isSet()) {
            throw new AssertionError("set");
          }
        }
        return null;
      });
    }
  }

  private static void run(String name, int rounds, int n, Pool pool, int workers, dev.multiproc.TaskCallable<Void> body)
      throws Exception {
    pool.map(x -> x, List.of(0, 1), 1); // both workers started
    double[] rates = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      List<CompletableFuture<Void>> running = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        running.add(pool.submit(body));
      }
      for (CompletableFuture<Void> f : running) {
        f.get();
      }
      rates[r] = (double) n * workers / ((System.nanoTime() - t0) / 1e9);
    }
    double[] sorted = rates.clone();
    Arrays.sort(sorted);
    List<String> all = new ArrayList<>();
    for (double v : rates) {
      all.add(String.format("%.0f", v));
    }
    System.out.printf("RESULT %s %.1f %.1f ops/s   rounds: %s%n", name, sorted[sorted.length / 2], sorted[sorted.length - 1], all);
  }
}
