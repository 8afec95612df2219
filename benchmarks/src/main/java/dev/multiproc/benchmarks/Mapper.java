package dev.multiproc.benchmarks;

import dev.multiproc.Backend;
import dev.multiproc.Multiproc;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.TaskFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * What a benchmark maps with, chosen by the {@code backend} parameter: a multiproc {@link Pool} on
 * a backend of that name (any provider on the class path: {@code thread}, {@code virtual-thread},
 * {@code process}), or one of the raw {@code java.util.concurrent} baselines:
 *
 * <ul>
 *   <li>{@value #JUC_FIXED}: {@code Executors.newFixedThreadPool(workers)}, platform threads, the
 *       baseline for {@code thread};
 *   <li>{@value #JUC_VIRTUAL}: {@code Executors.newVirtualThreadPerTaskExecutor()}, one virtual
 *       thread per task with a {@code Semaphore(workers)} bounding how many run at once (the JEP 444
 *       idiom for limiting concurrency), the baseline for {@code virtual-thread}.
 * </ul>
 *
 * The baselines chunk their input as the pool does ({@code chunk} 0: Python's
 * {@code ceil(n / (4 * workers))}) and return results in input order.
 */
abstract class Mapper implements AutoCloseable {

  static final String JUC_FIXED = "juc-fixed";
  static final String JUC_VIRTUAL = "juc-virtual";

  /**
   * @param backend a backend name or a baseline name
   * @param workers the pool size (at most this many tasks at once)
   */
  static Mapper open(String backend, int workers) {
    return switch (backend) {
      case JUC_FIXED -> new ExecutorMapper(Executors.newFixedThreadPool(workers), null, workers);
      case JUC_VIRTUAL -> new ExecutorMapper(Executors.newVirtualThreadPerTaskExecutor(), new Semaphore(workers), workers);
      default -> new PoolMapper(openBackend(backend), workers);
    };
  }

  /** A new backend of its own (not the shared one of {@code Multiproc}), closed with the mapper. */
  static Backend openBackend(String name) {
    return Multiproc.open(name);
  }

  /**
   * Applies {@code fn} to every item in parallel.
   *
   * @param chunk items per task; 0 for Python's default
   * @return the results in input order
   */
  abstract <T, R> List<R> map(TaskFunction<T, R> fn, List<T> items, int chunk) throws Exception;

  @Override
  public abstract void close();

  private static final class PoolMapper extends Mapper {
    private final Backend backend;
    private final Pool pool;

    PoolMapper(Backend backend, int workers) {
      this.backend = backend;
      this.pool = backend.newPool(PoolOptions.builder().workers(workers).name(backend.name() + "-bench").build());
    }

    @Override
    <T, R> List<R> map(TaskFunction<T, R> fn, List<T> items, int chunk) {
      return chunk == 0 ? pool.map(fn, items) : pool.map(fn, items, chunk);
    }

    @Override
    public void close() {
      try {
        pool.close();
      } finally {
        backend.close();
      }
    }
  }

  private static final class ExecutorMapper extends Mapper {
    private final ExecutorService executor;
    private final Semaphore running;
    private final int workers;

    ExecutorMapper(ExecutorService executor, Semaphore running, int workers) {
      this.executor = executor;
      this.running = running;
      this.workers = workers;
    }

    @Override
    <T, R> List<R> map(TaskFunction<T, R> fn, List<T> items, int chunk) throws Exception {
      int n = items.size();
      int size = chunk > 0 ? chunk : Math.max(1, (n + 4 * workers - 1) / (4 * workers));
      List<Future<List<R>>> futures = new ArrayList<>((n + size - 1) / size);
      for (int from = 0; from < n; from += size) {
        List<T> part = items.subList(from, Math.min(n, from + size));
        futures.add(executor.submit(() -> {
          if (running != null) {
            running.acquire();
          }
          try {
            List<R> out = new ArrayList<>(part.size());
            for (T item : part) {
              out.add(fn.apply(item));
            }
            return out;
          } finally {
            if (running != null) {
              running.release();
            }
          }
        }));
      }
      List<R> results = new ArrayList<>(n);
      for (Future<List<R>> f : futures) {
        try {
          results.addAll(f.get());
        } catch (ExecutionException e) {
          throw e.getCause() instanceof Exception c ? c : e;
        }
      }
      return results;
    }

    @Override
    public void close() {
      executor.shutdownNow();
      executor.close();
    }
  }
}
