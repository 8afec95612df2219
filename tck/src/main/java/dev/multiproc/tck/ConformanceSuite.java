package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Backend;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.spi.BackendConfig;
import dev.multiproc.spi.BackendProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The base of every conformance suite: each test gets a fresh backend, opened with
 * {@code provider().open(config())} before it and closed after it; then the kit checks that
 * nothing the backend started is still running (no new live platform thread, no new descendant
 * process, plus {@link #assertNothingLeft(Backend)}), waiting at most {@link #patience()}.
 *
 * <p>Tests run one at a time ({@link Isolated}, same thread): the leak check compares the whole
 * JVM before and after each test. Every test has a {@link Timeout}.
 *
 * <h2>Rules the suites follow, so that they hold on every backend</h2>
 *
 * A task reports back only through a {@link Queue} or {@link dev.multiproc.Event} of the test's
 * backend, its result, or its exception: it may run in another JVM. Tasks are serializable lambdas
 * that capture only local variables (handles, numbers, strings) and call static helpers, never the
 * test instance. Pools have at most 2 workers. No test sleeps to synchronise: it waits on a
 * condition with {@link #patience()} as the bound, and "still blocked" checks wait
 * {@link #STILL_BLOCKED}.
 *
 * <p>Extend this class (through one of the suites) only via {@link MultiprocConformanceKit}, or
 * directly by overriding {@link #provider()}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Isolated("the leak check compares all threads and processes of the JVM before and after a test")
@Execution(ExecutionMode.SAME_THREAD)
public abstract class ConformanceSuite extends ConformanceHooks {

  /** How long a "still blocked" check waits before concluding that a call is blocked. */
  protected static final Duration STILL_BLOCKED = Duration.ofMillis(200);

  private final ConformanceHooks kit;
  private Backend backend;
  private LeakCheck baseline;

  /** For a backend that extends a suite directly: it must override {@link #provider()}. */
  protected ConformanceSuite() {
    this.kit = null;
  }

  /** For the suites nested in {@link MultiprocConformanceKit}: every hook is the kit's. */
  ConformanceSuite(ConformanceHooks kit) {
    this.kit = Objects.requireNonNull(kit, "kit");
  }

  // ------------------------------------------------------------------ hooks (the kit's, if nested)

  @Override
  protected BackendProvider provider() {
    if (kit == null) {
      throw new IllegalStateException(getClass().getName()
          + " extends a conformance suite directly, so it must override provider(); or extend MultiprocConformanceKit");
    }
    return kit.provider();
  }

  @Override
  protected BackendConfig config() {
    return kit != null ? kit.config() : super.config();
  }

  @Override
  protected boolean workersHavePids() {
    return kit != null ? kit.workersHavePids() : super.workersHavePids();
  }

  @Override
  protected boolean shipsObjects() {
    return kit != null ? kit.shipsObjects() : super.shipsObjects();
  }

  @Override
  protected boolean shipsWork() {
    return kit != null ? kit.shipsWork() : super.shipsWork();
  }

  @Override
  protected int scale() {
    return Math.max(1, kit != null ? kit.scale() : super.scale());
  }

  @Override
  protected Duration patience() {
    return kit != null ? kit.patience() : super.patience();
  }

  @Override
  protected void assertNothingLeft(Backend closed) throws Exception {
    if (kit != null) {
      kit.assertNothingLeft(closed);
    } else {
      super.assertNothingLeft(closed);
    }
  }

  @Override
  protected boolean isInfrastructureThread(Thread thread) {
    return kit != null ? kit.isInfrastructureThread(thread) : super.isInfrastructureThread(thread);
  }

  // ------------------------------------------------------------------ lifecycle

  /** Takes the leak baseline, then opens this test's backend. */
  @BeforeEach
  protected final void openBackend() {
    baseline = LeakCheck.snapshot();
    BackendProvider provider = provider();
    backend = provider.open(config());
    assertThat(backend).as("%s.open(config)", provider.getClass().getName()).isNotNull();
  }

  /** Closes this test's backend and checks that nothing it started is still running. */
  @AfterEach
  protected final void closeBackendAndCheckNothingLeft() throws Exception {
    boolean interrupted = Thread.interrupted(); // a test that left the flag set must not disturb close()
    Backend b = backend;
    backend = null;
    if (b != null) {
      b.close();
      baseline.assertNothingNewAlive(patience(), this::isInfrastructureThread,
          "after the " + b.name() + " backend was closed");
      assertNothingLeft(b);
    }
    assertThat(interrupted).as("the test thread's interrupt flag at the end of the test").isFalse();
  }

  /** @return this test's backend, open until the test ends (unless the test closes it) */
  protected final Backend backend() {
    return Objects.requireNonNull(backend, "no backend: called outside a test");
  }

  // ------------------------------------------------------------------ helpers for tests

  /** @return a new pool on this test's backend with {@code workers} workers; close it */
  protected final Pool pool(int workers) {
    return pool(b -> b.workers(workers));
  }

  /** @return a new pool on this test's backend, named {@code tck}, with the given settings */
  protected final Pool pool(UnaryOperator<PoolOptions.Builder> settings) {
    return backend().newPool(settings.apply(PoolOptions.builder().name("tck")).build());
  }

  /** @return a new unbounded queue on this test's backend */
  protected final <T> Queue<T> queue() {
    return backend().newQueue(0);
  }

  /** @return the integers {@code from} (inclusive) to {@code to} (exclusive) */
  protected static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  /**
   * Waits for the future's value, at most {@link #patience()}.
   *
   * @throws ExecutionException if the future failed
   * @throws AssertionError if it did not complete in time
   */
  protected final <T> T get(Future<T> future) throws ExecutionException, InterruptedException {
    try {
      return future.get(patience().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + patience() + " from " + future);
    }
  }

  /**
   * Takes the next item, waiting at most {@link #patience()}.
   *
   * @throws AssertionError if none came in time
   */
  protected final <T> T take(Queue<T> queue) throws InterruptedException {
    Optional<T> item = queue.get(patience());
    if (item.isEmpty()) {
      throw new AssertionError("nothing arrived on " + queue + " within " + patience());
    }
    return item.get();
  }

  /** Takes {@code n} items, each within {@link #patience()}. */
  protected final <T> List<T> take(Queue<T> queue, int n) throws InterruptedException {
    List<T> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(take(queue));
    }
    return items;
  }

  /** Takes every item the queue holds now, without waiting. */
  protected static <T> List<T> drain(Queue<T> queue) {
    List<T> items = new ArrayList<>();
    for (Optional<T> item = queue.tryGet(); item.isPresent(); item = queue.tryGet()) {
      items.add(item.get());
    }
    return items;
  }

  // ------------------------------------------------------------------ helpers for tasks (static: tasks may run in other JVMs)

  /**
   * Who is running this code: {@code pid:threadId}. Unique per pool worker on the thread backends
   * (a worker is a thread) and on the process backend (a worker is a child JVM).
   *
   * @return the identity of the current worker
   */
  protected static String identity() {
    return ProcessHandle.current().pid() + ":" + Thread.currentThread().threadId();
  }

  /**
   * Makes a task take some time, to vary completion order. Never used to wait for something.
   *
   * @param millis how long the simulated work takes
   * @throws InterruptedException if the worker is stopped meanwhile
   */
  protected static void simulateWork(long millis) throws InterruptedException {
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }

  /** @return a duration from 0 to 12 ms that looks random but depends only on {@code item} */
  protected static long pseudoRandomMillis(int item) {
    return Math.floorMod(item * 7919 + 17, 13);
  }
}
