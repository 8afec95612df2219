package dev.multiproc.virtualthread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.TaskFunction;
import dev.multiproc.spi.BackendConfig;
import dev.multiproc.engine.LocalBackend;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Queued work never waits while a worker is idle: the pool's executors wait on a semaphore with a
 * permit per queued unit, and a lost or doubly consumed permit leaves a unit queued with a worker
 * asleep. Each map here can only finish if all its units run at the same time, on fresh and on
 * reused pools, many times over.
 */
@Timeout(120)
class PoolDispatchTest {

  private static final int ROUNDS = 300;

  private LocalBackend backend;

  @BeforeEach
  void open() {
    backend = (LocalBackend) new VirtualThreadBackendProvider().open(BackendConfig.of("virtual-thread", Map.of()));
  }

  @AfterEach
  void close() {
    backend.close();
    assertThat(backend.threads().liveThreads()).as("threads left after close").isZero();
  }

  @ParameterizedTest(name = "pool of {0}")
  @ValueSource(ints = {2, 8})
  void everyWorkerGetsAUnitWhileOthersBlock(int workers) {
    List<Integer> items = IntStream.range(0, workers).boxed().toList();
    try (Pool reused = backend.newPool(PoolOptions.builder().workers(workers).build())) {
      for (int round = 0; round < ROUNDS; round++) {
        boolean fresh = round % 2 == 0;
        Pool pool = fresh ? backend.newPool(PoolOptions.builder().workers(workers).build()) : reused;
        try {
          assertThat(pool.map(allAtOnce(workers), items, 1)).as("round %d", round).isEqualTo(items);
        } finally {
          if (fresh) {
            pool.close();
          }
        }
      }
    }
  }

  @Test
  void imapHandsTheNextUnitToTheIdleWorker() {
    for (int round = 0; round < ROUNDS; round++) {
      try (Pool pool = backend.newPool(PoolOptions.builder().workers(2).build())) {
        Iterator<Integer> it = pool.imap(allAtOnce(2), List.of(0, 1));
        assertThat(it.next()).isZero();
        assertThat(it.next()).isEqualTo(1);
        assertThat(it.hasNext()).isFalse();
      }
    }
  }

  /** A task that returns its item once {@code n} tasks have started, and fails if they never do. */
  private static TaskFunction<Integer, Integer> allAtOnce(int n) {
    CountDownLatch started = new CountDownLatch(n);
    return x -> {
      started.countDown();
      if (!started.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("only " + (n - started.getCount()) + " of " + n
            + " units ran at once: a queued unit waited while a worker was idle");
      }
      return x;
    };
  }
}
