package dev.multiproc.virtualthread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Event;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.spi.BackendConfig;
import dev.multiproc.engine.LocalBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many blocked virtual workers at a CI-friendly size (the surefire heap of this module is capped:
 * see the pom). The million-waiter figures are in {@code benchmarks/RESULTS.md}.
 */
@Timeout(180)
class VirtualThreadScaleTest {

  private static final int WAITERS = 100_000;
  private static final Duration SETTLE = Duration.ofSeconds(120);

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

  @Test
  void aHundredThousandWorkersBlockedOnOneEventAllFinishAfterOneSet() throws Exception {
    Event go = backend.newEvent();
    AtomicReferenceArray<Thread> threads = new AtomicReferenceArray<>(WAITERS);
    AtomicInteger passed = new AtomicInteger();
    Worker[] workers = new Worker[WAITERS];
    for (int i = 0; i < WAITERS; i++) {
      int id = i;
      workers[i] = backend.newWorker(() -> {
        threads.set(id, Thread.currentThread());
        go.await();
        passed.incrementAndGet();
      }, WorkerOptions.defaults()).start();
    }
    Polling.untilAllWaiting(threads, SETTLE);
    assertThat(passed).as("workers past await() before set()").hasValue(0);
    assertThat(threads.get(0).isVirtual()).isTrue();

    go.set();

    for (Worker w : workers) {
      assertThat(w.join(SETTLE)).as("%s finished", w).isTrue();
      assertThat(w.exitCode()).hasValue(0);
    }
    assertThat(passed).hasValue(WAITERS);
  }

  @Test
  void aHundredThousandWorkersBlockedInGetEachReceiveOneOfAsManyPuts() throws Exception {
    Queue<Integer> queue = backend.newQueue(0);
    AtomicReferenceArray<Thread> threads = new AtomicReferenceArray<>(WAITERS);
    AtomicIntegerArray received = new AtomicIntegerArray(WAITERS);
    Worker[] workers = new Worker[WAITERS];
    for (int i = 0; i < WAITERS; i++) {
      int id = i;
      workers[i] = backend.newWorker(() -> {
        threads.set(id, Thread.currentThread());
        received.incrementAndGet(queue.get());
      }, WorkerOptions.defaults()).start();
    }
    Polling.untilAllWaiting(threads, SETTLE);
    assertThat(queue.size()).isZero();

    for (int i = 0; i < WAITERS; i++) {
      queue.put(i);
    }

    for (Worker w : workers) {
      assertThat(w.join(SETTLE)).as("%s finished", w).isTrue();
      assertThat(w.exitCode()).hasValue(0);
    }
    for (int i = 0; i < WAITERS; i++) {
      assertThat(received.get(i)).as("times item %d was received", i).isEqualTo(1);
    }
    assertThat(queue.size()).isZero();
  }

  @Test
  void aPoolOfTenThousandWorkersRunsTenThousandBlockingTasksAtOnce() {
    int n = 10_000;
    // Every task waits until all n have started: map finishes only if n run at the same time.
    CountDownLatch allStarted = new CountDownLatch(n);
    List<Integer> items = IntStream.range(0, n).boxed().toList();
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(n).build())) {
      assertThat(pool.workers()).isEqualTo(n);
      List<Integer> out = pool.map(i -> {
        allStarted.countDown();
        if (!allStarted.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("only " + (n - allStarted.getCount()) + " tasks ran at once");
        }
        if (!Thread.currentThread().isVirtual()) {
          throw new IllegalStateException("not a virtual thread: " + Thread.currentThread());
        }
        return i;
      }, items, 1);
      assertThat(out).isEqualTo(items);
    }
  }

  @Test
  void thePoolSizeBoundsHowManyTasksRunAtOnce() {
    int size = 8;
    AtomicInteger active = new AtomicInteger();
    AtomicInteger maxActive = new AtomicInteger();
    Event full = backend.newEvent();
    List<Integer> items = IntStream.range(0, 200).boxed().toList();
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(size).build())) {
      List<Integer> out = pool.map(i -> {
        int now = active.incrementAndGet();
        maxActive.accumulateAndGet(now, Math::max);
        if (now == size) {
          full.set();
        }
        // The first tasks wait until the pool is full; then everything runs through.
        if (!full.await(Duration.ofSeconds(30))) {
          throw new IllegalStateException("the pool never ran " + size + " tasks at once");
        }
        active.decrementAndGet();
        return i * 2;
      }, items, 1);
      assertThat(out).isEqualTo(items.stream().map(i -> i * 2).toList());
    }
    assertThat(maxActive).hasValue(size);
  }
}
