package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.multiproc.Event;
import dev.multiproc.MultiprocException;
import dev.multiproc.Pool;
import dev.multiproc.Queue;
import dev.multiproc.TaskFailedException;
import dev.multiproc.TaskFunction;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link Pool} contract: {@code map} (order, chunking, failures), {@code imap} (order,
 * laziness, failures), {@code imapUnordered}, {@code submit}, the initializer,
 * {@code maxTasksPerWorker}, {@code taskTimeout}, {@code close}, {@code terminate}, interruption
 * of the caller, and argument checks.
 *
 * <p>Chunks are observed without timing: with {@code maxTasksPerWorker(1)} every chunk runs on a
 * fresh worker, so the {@linkplain #identity() identities} of the workers that ran the items show
 * where the chunks begin and end.
 */
public abstract class PoolConformance extends ConformanceSuite {

  /** The most input items an {@code imap} may have read beyond those whose results were consumed. */
  protected static final int MAX_READ_AHEAD = 64;

  /** For a backend that runs this suite alone: override {@link #provider()}. */
  protected PoolConformance() {}

  PoolConformance(ConformanceHooks kit) {
    super(kit);
  }

  // ------------------------------------------------------------------ map

  @Test
  @DisplayName("map returns every result in input order, in a new mutable list")
  void mapReturnsResultsInInputOrder() {
    List<Integer> items = range(0, 200 * scale());
    try (Pool pool = pool(2)) {
      List<Integer> squares = pool.map(x -> {
        simulateWork(x % 25 == 0 ? 2 : 0);
        return x * x;
      }, items);
      assertThat(squares).containsExactlyElementsOf(items.stream().map(x -> x * x).toList());
      squares.add(-1); // a new mutable list
    }
  }

  @Test
  @DisplayName("map carries ints, longs, doubles and strings, and results whose type changes within a chunk, applying the task once per item")
  void mapCarriesEveryKindOfValue() throws InterruptedException {
    int n = 1000;
    List<Long> longs = new ArrayList<>();
    List<Double> doubles = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      longs.add(i * 3_000_000_007L - 5);
      doubles.add(i % 97 == 0 ? Double.NaN : i % 89 == 0 ? -0.0 : i % 83 == 0 ? Double.NEGATIVE_INFINITY : i / 7.0);
    }
    Queue<Integer> applied = queue();
    try (Pool pool = pool(2)) {
      assertThat(pool.map(x -> x + 1, longs)).containsExactlyElementsOf(longs.stream().map(x -> x + 1).toList());
      assertThat(pool.map(x -> -x, doubles)).containsExactlyElementsOf(doubles.stream().map(x -> -x).toList());
      assertThat(pool.map(x -> x / 2.0, range(0, n))).containsExactlyElementsOf(range(0, n).stream().map(x -> x / 2.0).toList());
      assertThat(pool.map(x -> "<" + x + ">", range(0, n))).containsExactlyElementsOf(range(0, n).stream().map(x -> "<" + x + ">").toList());
      // chunks of unequal sizes, one after another on the same workers: a short last chunk after long ones
      for (int chunk : new int[] {250, 7, 1}) {
        assertThat(pool.map(x -> x * 3, range(0, n + 3), chunk)).as("chunk size %s", chunk)
            .containsExactlyElementsOf(range(0, n + 3).stream().map(x -> x * 3).toList());
        assertThat(pool.map(x -> x * 2, longs.subList(0, n - 1), chunk)).as("chunk size %s", chunk)
            .containsExactlyElementsOf(longs.subList(0, n - 1).stream().map(x -> x * 2).toList());
      }

      // Whole chunks of ints whose results are ints, but for a long, a string and a null partway through.
      TaskFunction<Integer, Object> odd = x -> {
        applied.put(x);
        return x % 100 == 37 ? (Object) (long) x : x % 100 == 61 ? "s" + x : x % 100 == 83 ? null : (Object) (x * 3);
      };
      List<Object> expected = new ArrayList<>();
      for (int x = 0; x < n; x++) {
        expected.add(x % 100 == 37 ? (Object) (long) x : x % 100 == 61 ? "s" + x : x % 100 == 83 ? null : (Object) (x * 3));
      }
      assertThat(pool.map(odd, range(0, n), 250)).containsExactlyElementsOf(expected);
      List<Integer> seen = new ArrayList<>();
      for (Optional<Integer> x = applied.tryGet(); x.isPresent(); x = applied.tryGet()) {
        seen.add(x.get());
      }
      assertThat(seen).as("the task ran once per item").containsExactlyInAnyOrderElementsOf(range(0, n));
    }
  }

  @Test
  @DisplayName("map splits items into chunks of ceil(n / (4 * workers)) by default")
  void mapUsesPythonsDefaultChunkSize() {
    try (Pool pool = pool(b -> b.workers(2).maxTasksPerWorker(1))) {
      // 20 items, 2 workers: ceil(20 / 8) = 3 items per chunk.
      assertChunks(pool.map(x -> identity(), range(0, 20)), 3, 3, 3, 3, 3, 3, 2);
    }
  }

  @Test
  @DisplayName("map honours explicit chunk sizes (1, the pool's default, and more than n)")
  void mapUsesExplicitChunkSizes() {
    try (Pool pool = pool(b -> b.workers(2).maxTasksPerWorker(1).chunkSize(4))) {
      assertChunks(pool.map(x -> identity(), range(0, 10)), 4, 4, 2);
      assertChunks(pool.map(x -> identity(), range(0, 3), 1), 1, 1, 1);
      assertChunks(pool.map(x -> identity(), range(0, 7), 25), 7);
    }
  }

  /** Asserts that consecutive items ran on one worker in runs of exactly {@code sizes}. */
  private static void assertChunks(List<String> identities, int... sizes) {
    List<Integer> runs = new ArrayList<>();
    List<String> owners = new ArrayList<>();
    for (int i = 0; i < identities.size(); i++) {
      if (i == 0 || !identities.get(i).equals(identities.get(i - 1))) {
        runs.add(0);
        owners.add(identities.get(i));
      }
      runs.set(runs.size() - 1, runs.getLast() + 1);
    }
    assertThat(runs).as("chunk sizes seen in the workers' identities %s", identities)
        .containsExactlyElementsOf(Arrays.stream(sizes).boxed().toList());
    assertThat(owners).as("each chunk runs on a fresh worker (maxTasksPerWorker 1)").doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("map of no items returns an empty mutable list")
  void mapOfNothingIsEmpty() {
    try (Pool pool = pool(2)) {
      List<Integer> none = pool.map(x -> x, List.<Integer>of());
      assertThat(none).isEmpty();
      none.add(1);
      assertThat(pool.map(x -> x, List.<Integer>of(), 3)).isEmpty();
    }
  }

  @Test
  @DisplayName("map with a chunk size below 1 throws IllegalArgumentException and runs nothing")
  void mapRefusesChunkSizeBelowOne() throws InterruptedException {
    Queue<Integer> ran = queue();
    try (Pool pool = pool(2)) {
      TaskFunction<Integer, Integer> record = x -> {
        ran.put(x);
        return x;
      };
      assertThatIllegalArgumentException().isThrownBy(() -> pool.map(record, range(0, 3), 0));
      assertThatIllegalArgumentException().isThrownBy(() -> pool.map(record, range(0, 3), -1));
    }
    assertThat(drain(ran)).as("items run").isEmpty();
  }

  @Test
  @DisplayName("null functions, iterables, items and tasks throw NullPointerException and run nothing")
  void nullArgumentsAreRefused() throws InterruptedException {
    Queue<Integer> ran = queue();
    try (Pool pool = pool(2)) {
      TaskFunction<Integer, Integer> record = x -> {
        ran.put(x);
        return x;
      };
      assertThatNullPointerException().isThrownBy(() -> pool.map(null, range(0, 3)));
      assertThatNullPointerException().isThrownBy(() -> pool.map(record, null));
      assertThatNullPointerException().isThrownBy(() -> pool.map(record, Arrays.asList(1, null, 3)));
      assertThatNullPointerException().isThrownBy(() -> pool.map(record, Arrays.asList(1, 2, null), 1));
      assertThatNullPointerException().isThrownBy(() -> pool.imap(null, range(0, 3)));
      assertThatNullPointerException().isThrownBy(() -> pool.imap(record, null));
      assertThatNullPointerException().isThrownBy(() -> pool.imapUnordered(null, range(0, 3)));
      assertThatNullPointerException().isThrownBy(() -> pool.imapUnordered(record, null));
      assertThatNullPointerException().isThrownBy(() -> pool.submit(null));
    } // close() waits for any work that was accepted after all
    assertThat(drain(ran)).as("items run").isEmpty();
    assertThatNullPointerException().isThrownBy(() -> backend().newPool(null));
  }

  @Test
  @DisplayName("an imap reports a null item when it reaches it")
  void imapReportsNullItemWhenReached() {
    try (Pool pool = pool(2)) {
      Iterator<Integer> it = pool.imap(x -> x * 10, Arrays.asList(1, 2, null, 4));
      assertThat(it.next()).isEqualTo(10);
      assertThat(it.next()).isEqualTo(20);
      assertThatNullPointerException().isThrownBy(it::next);
    }
  }

  @Test
  @DisplayName("a failing item makes map throw TaskFailedException for the lowest failing index; the pool stays usable")
  void mapFailureNamesLowestFailingIndex() {
    Event thirteenRan = backend().newEvent();
    Duration hang = patience();
    try (Pool pool = pool(2)) {
      // 13 and 27 fail; 27 only after 13 has run, so the lowest failure certainly happened.
      Throwable thrown = catchThrowable(() -> pool.map(x -> {
        if (x == 13) {
          thirteenRan.set();
          throw new IllegalArgumentException("odd value");
        }
        if (x == 27) {
          thirteenRan.await(hang);
          throw new IllegalStateException("later failure");
        }
        return x;
      }, range(0, 40)));
      assertThat(thrown).isInstanceOf(TaskFailedException.class);
      TaskFailedException failure = (TaskFailedException) thrown;
      assertThat(failure.itemIndex()).hasValue(13);
      assertThat(failure.getMessage()).as("the message names the item's index").containsPattern("\\b13\\b");
      assertThat(failure.getCause()).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("odd value");

      assertThat(pool.map(x -> x + 1, range(0, 10))).containsExactlyElementsOf(range(1, 11));
    }
  }

  // ------------------------------------------------------------------ imap, imapUnordered

  @Test
  @DisplayName("imap yields results in input order whatever the task durations")
  void imapYieldsInInputOrder() {
    List<Integer> items = range(0, 40 * scale());
    try (Pool pool = pool(2)) {
      Iterator<Integer> it = pool.imap(x -> {
        simulateWork(pseudoRandomMillis(x));
        return -x;
      }, items);
      List<Integer> got = new ArrayList<>();
      it.forEachRemaining(got::add);
      assertThat(got).containsExactlyElementsOf(items.stream().map(x -> -x).toList());
      assertThat(it.hasNext()).isFalse();
      assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }
  }

  @Test
  @DisplayName("imap holds back a result until every earlier one is ready")
  void imapWaitsForEarlierItems() throws Exception {
    Event release = backend().newEvent();
    Event oneDone = backend().newEvent();
    Duration hang = patience();
    try (Pool pool = pool(2)) {
      Iterator<Integer> it = pool.imap(x -> {
        if (x == 0) {
          release.await(hang);
        } else {
          oneDone.set();
        }
        return x;
      }, range(0, 2));
      Background<Integer> first = Background.call("imap-consumer", it::next);
      assertThat(oneDone.await(hang))
          .as("item 1 ran on the second worker while item 0 held the first (a worker must not hold queued work while another is idle)")
          .isTrue();
      assertThat(first.stillRunningAfter(STILL_BLOCKED)).as("next() waits for item 0 although item 1 is done").isTrue();
      release.set();
      assertThat(first.result(hang)).isZero();
      assertThat(it.next()).isEqualTo(1);
      assertThat(it.hasNext()).isFalse();
    }
  }

  @Test
  @DisplayName("imap reads its input lazily, on the consumer's thread, a bounded distance ahead")
  void imapReadsInputLazily() {
    CountingSource source = new CountingSource();
    try (Pool pool = pool(2)) {
      Iterable<Integer> endless = () -> source;
      Iterator<Integer> it = pool.imap(x -> x + 1, endless);
      assertThat(source.pulled()).as("items read before any result was consumed").isLessThanOrEqualTo(MAX_READ_AHEAD);
      for (int i = 0; i < 30; i++) {
        assertThat(it.next()).isEqualTo(i + 1);
        assertThat(source.pulled()).as("items read after %s results were consumed", i + 1)
            .isLessThanOrEqualTo(i + 1 + MAX_READ_AHEAD);
      }
      assertThat(source.readers()).as("threads that read the input").containsExactly(Thread.currentThread());
    }
  }

  /** An endless input that counts what was read and who read it. Stays in the test's JVM. */
  private static final class CountingSource implements Iterator<Integer> {
    private final Set<Thread> readers = new LinkedHashSet<>();
    private int next;

    @Override
    public boolean hasNext() {
      return true;
    }

    @Override
    public Integer next() {
      readers.add(Thread.currentThread());
      return next++;
    }

    int pulled() {
      return next;
    }

    Set<Thread> readers() {
      return readers;
    }
  }

  @Test
  @DisplayName("after close(), an imap yields the work already handed out, then RejectedExecutionException")
  void imapAfterCloseFinishesHandedOutWork() {
    CountingSource source = new CountingSource();
    Iterator<Integer> it;
    try (Pool pool = pool(2)) {
      Iterable<Integer> endless = () -> source;
      it = pool.imap(x -> x * 2, endless);
      for (int i = 0; i < 3; i++) {
        assertThat(it.next()).isEqualTo(2 * i);
      }
    } // close()
    int next = 3;
    while (true) {
      int expected = 2 * next;
      Throwable thrown = catchThrowable(() -> assertThat(it.next()).isEqualTo(expected));
      if (thrown != null) {
        assertThat(thrown).as("after the handed-out results, with input left").isInstanceOf(RejectedExecutionException.class);
        break;
      }
      next++;
      assertThat(next).as("results after close()").isLessThanOrEqualTo(source.pulled());
    }
  }

  @Test
  @DisplayName("imap yields a TaskFailedException for a failing item and then carries on")
  void imapReportsFailureAndContinues() {
    try (Pool pool = pool(2)) {
      Iterator<Integer> it = pool.imap(x -> {
        if (x == 4) {
          throw new IllegalStateException("no 4");
        }
        return x;
      }, range(0, 10));
      for (int i = 0; i < 10; i++) {
        if (i == 4) {
          assertThatThrownBy(it::next).isInstanceOfSatisfying(TaskFailedException.class, e -> {
            assertThat(e.itemIndex()).hasValue(4);
            assertThat(e.getCause()).isExactlyInstanceOf(IllegalStateException.class).hasMessage("no 4");
          });
        } else {
          assertThat(it.next()).isEqualTo(i);
        }
      }
      assertThat(it.hasNext()).isFalse();
    }
  }

  @Test
  @DisplayName("imapUnordered yields every result exactly once")
  void imapUnorderedYieldsEveryResultOnce() {
    List<Integer> items = range(0, 50 * scale());
    try (Pool pool = pool(2)) {
      Iterator<Integer> it = pool.imapUnordered(x -> {
        simulateWork(pseudoRandomMillis(x));
        return x;
      }, items);
      List<Integer> got = new ArrayList<>();
      it.forEachRemaining(got::add);
      assertThat(got).containsExactlyInAnyOrderElementsOf(items);
      assertThat(it.hasNext()).isFalse();
    }
  }

  @Test
  @DisplayName("imapUnordered yields results in completion order")
  void imapUnorderedYieldsInCompletionOrder() {
    Event release = backend().newEvent();
    Duration hang = patience();
    try (Pool pool = pool(2)) {
      Iterator<Integer> it = pool.imapUnordered(x -> {
        if (x == 0 && !release.await(hang)) {
          throw new TimeoutException("item 0 was never released: item 1 did not complete on the other worker meanwhile");
        }
        return x;
      }, range(0, 2));
      assertThat(it.next()).as("item 1 completes first: item 0 waits until then").isEqualTo(1);
      release.set();
      assertThat(it.next()).isZero();
      assertThat(it.hasNext()).isFalse();
    }
  }

  @Test
  @DisplayName("imapUnordered yields a TaskFailedException for a failing item and then carries on")
  void imapUnorderedReportsFailureAndContinues() {
    try (Pool pool = pool(2)) {
      Iterator<Integer> it = pool.imapUnordered(x -> {
        if (x == 3) {
          throw new IOException("no 3");
        }
        return x;
      }, range(0, 8));
      List<Integer> values = new ArrayList<>();
      List<TaskFailedException> failures = new ArrayList<>();
      while (it.hasNext()) {
        try {
          values.add(it.next());
        } catch (TaskFailedException e) {
          failures.add(e);
        }
      }
      assertThat(values).containsExactlyInAnyOrder(0, 1, 2, 4, 5, 6, 7);
      assertThat(failures).singleElement().satisfies(e -> {
        assertThat(e.itemIndex()).hasValue(3);
        assertThat(e.getCause()).isExactlyInstanceOf(IOException.class).hasMessage("no 3");
      });
    }
  }

  // ------------------------------------------------------------------ submit

  @Test
  @DisplayName("submit completes the future with the task's result (null included)")
  void submitReturnsResult() throws Exception {
    try (Pool pool = pool(2)) {
      List<CompletableFuture<String>> futures = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        int n = i;
        futures.add(pool.submit(() -> "task " + n));
      }
      for (int i = 0; i < 10; i++) {
        assertThat(get(futures.get(i))).isEqualTo("task " + i);
      }
      CompletableFuture<Object> nothing = pool.submit(() -> null);
      assertThat(get(nothing)).isNull();
    }
  }

  @Test
  @DisplayName("submit completes the future exceptionally with the task's own exception")
  void submitReportsTaskException() {
    try (Pool pool = pool(2)) {
      CompletableFuture<Object> unchecked = pool.submit(() -> {
        throw new IllegalStateException("boom");
      });
      CompletableFuture<Object> checked = pool.submit(() -> {
        throw new IOException("disk on fire");
      });
      assertThatThrownBy(() -> get(unchecked)).isInstanceOf(ExecutionException.class)
          .cause().isExactlyInstanceOf(IllegalStateException.class).hasMessage("boom");
      assertThatThrownBy(() -> get(checked)).isInstanceOf(ExecutionException.class)
          .cause().isExactlyInstanceOf(IOException.class).hasMessage("disk on fire");
      assertThat(unchecked).isCompletedExceptionally();
    }
  }

  @Test
  @DisplayName("cancelling the future of a queued submit removes it; running tasks are not affected")
  void cancellingQueuedSubmitRemovesIt() throws Exception {
    Event go = backend().newEvent();
    Queue<String> ran = queue();
    Duration hang = patience();
    try (Pool pool = pool(2)) {
      List<CompletableFuture<String>> busy = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        String name = "busy-" + i;
        busy.add(pool.submit(() -> {
          ran.put(name);
          return go.await(hang) ? name : "not released";
        }));
      }
      assertThat(take(ran, 2)).as("two tasks run at once on two workers").containsExactlyInAnyOrder("busy-0", "busy-1");
      CompletableFuture<String> queued = pool.submit(() -> {
        ran.put("queued");
        return "queued";
      });
      assertThat(queued.cancel(false)).isTrue();
      go.set();
      assertThat(get(busy.get(0))).isEqualTo("busy-0");
      assertThat(get(busy.get(1))).isEqualTo("busy-1");
    } // close() waits for any task that runs after all
    assertThat(drain(ran)).as("a task whose future was cancelled before it started ran anyway").isEmpty();
  }

  // ------------------------------------------------------------------ options

  @Test
  @DisplayName("workers() is the configured number of workers")
  void workersIsTheConfiguredNumber() {
    try (Pool one = pool(1); Pool two = pool(2)) {
      assertThat(one.workers()).isEqualTo(1);
      assertThat(two.workers()).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("the initializer runs once in each worker, before its first task")
  void initializerRunsOncePerWorker() throws InterruptedException {
    Queue<String> inits = queue();
    List<String> used;
    try (Pool pool = pool(b -> b.workers(2).initializer(() -> inits.put(identity())))) {
      used = pool.map(x -> {
        simulateWork(1);
        return identity();
      }, range(0, 40), 1);
    }
    List<String> tokens = drain(inits);
    assertThat(tokens).as("initializer runs").doesNotHaveDuplicates().hasSizeLessThanOrEqualTo(2)
        .containsAll(new HashSet<>(used));
  }

  @Test
  @DisplayName("an initializer that throws breaks the pool: its work fails and new work is refused")
  void failingInitializerBreaksPool() {
    try (Pool pool = pool(b -> b.workers(2).initializer(() -> {
      throw new IllegalStateException("no database");
    }))) {
      Throwable thrown = catchThrowable(() -> pool.map(x -> x, range(0, 4)));
      assertThat(thrown).as("what map throws on a pool whose initializer throws")
          .isInstanceOfAny(TaskFailedException.class, RejectedExecutionException.class)
          .hasRootCauseExactlyInstanceOf(IllegalStateException.class).hasRootCauseMessage("no database");
      assertThatThrownBy(() -> pool.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
    }
  }

  @Test
  @DisplayName("maxTasksPerWorker replaces a worker after that many tasks (chunks or submits)")
  void maxTasksPerWorkerReplacesWorkers() throws Exception {
    Queue<String> inits = queue();
    Set<String> workers;
    try (Pool pool = pool(b -> b.workers(1).chunkSize(1).maxTasksPerWorker(2).initializer(() -> inits.put(identity())))) {
      List<String> who = pool.map(x -> identity(), range(0, 6));
      assertChunks(who, 2, 2, 2);
      String first = get(pool.submit(() -> identity()));
      String second = get(pool.submit(() -> identity()));
      String third = get(pool.submit(() -> identity()));
      assertThat(second).as("two submits on one worker").isEqualTo(first);
      assertThat(third).as("the third submit runs on a fresh worker").isNotEqualTo(first);
      assertThat(List.of(first, third)).doesNotContainAnyElementsOf(who);
      workers = new HashSet<>(who);
      workers.add(first);
      workers.add(third);
    } // close() waits for the workers, and their initializers, to end
    assertThat(drain(inits)).as("initializer runs: one per worker").doesNotHaveDuplicates().containsAll(workers);
  }

  @Test
  @DisplayName("taskTimeout fails the overrunning item or task with a TimeoutException; the pool carries on")
  void taskTimeoutFailsOverrunningWork() throws Exception {
    Event never = backend().newEvent();
    Duration hang = patience();
    try (Pool pool = pool(b -> b.workers(2).taskTimeout(Duration.ofSeconds(2)))) {
      // Warm workers first: a child JVM's first item (class loading, the first lambda) can take
      // longer than the timeout on a loaded machine, and only item 2 is meant to overrun.
      assertThat(pool.map(x -> x, range(0, 4), 1)).containsExactly(0, 1, 2, 3);
      Throwable thrown = catchThrowable(() -> pool.map(x -> {
        if (x == 2) {
          never.await(hang);
        }
        return x;
      }, range(0, 4), 1));
      assertThat(thrown).isInstanceOfSatisfying(TaskFailedException.class, e -> {
        assertThat(e.itemIndex()).hasValue(2);
        assertThat(e.getCause()).isInstanceOf(TimeoutException.class);
      });
      assertThat(pool.map(x -> x + 1, range(0, 4), 1)).containsExactly(1, 2, 3, 4);

      CompletableFuture<Boolean> stuck = pool.submit(() -> never.await(hang));
      assertThatThrownBy(() -> get(stuck)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(TimeoutException.class);
      assertThat(get(pool.submit(() -> 7))).isEqualTo(7);
    }
  }

  // ------------------------------------------------------------------ close, terminate

  @Test
  @DisplayName("close() refuses new work at once, waits for accepted work, and is idempotent")
  void closeWaitsForAcceptedWork() throws Exception {
    Event go = backend().newEvent();
    Queue<Integer> started = queue();
    Duration hang = patience();
    Pool pool = pool(2);
    List<CompletableFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      int n = i;
      futures.add(pool.submit(() -> {
        started.put(n);
        if (!go.await(hang)) {
          throw new TimeoutException("not released");
        }
        return n * 10;
      }));
    }
    awaitBothWorkersBusy(started);
    Background<Void> closer = Background.run("pool-close", pool::close);
    closer.awaitParked(hang);
    assertThat(closer.stillRunningAfter(STILL_BLOCKED)).as("close() waits for the accepted tasks").isTrue();
    assertThatThrownBy(() -> pool.submit(() -> 1)).as("submit while closing").isInstanceOf(RejectedExecutionException.class);
    go.set();
    closer.result(hang);
    for (int i = 0; i < 4; i++) {
      assertThat(futures.get(i)).as("task %s", i).isCompletedWithValue(i * 10);
    }
    pool.close();
    assertRejectsWork(pool);
  }

  @Test
  @DisplayName("terminate() ends queued and running tasks with CancellationException, and is idempotent")
  void terminateCancelsQueuedAndRunningWork() throws Exception {
    Event go = backend().newEvent();
    Queue<Integer> started = queue();
    Duration hang = patience();
    Pool pool = pool(2);
    List<CompletableFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      int n = i;
      futures.add(pool.submit(() -> {
        started.put(n);
        go.await(hang);
        return n;
      }));
    }
    awaitBothWorkersBusy(started);
    pool.terminate();
    for (CompletableFuture<Integer> f : futures) {
      assertThatThrownBy(() -> get(f)).isInstanceOf(CancellationException.class);
    }
    pool.terminate();
    pool.close();
    assertRejectsWork(pool);
    assertThat(drain(started)).as("queued tasks started after terminate()").isEmpty();
  }

  @Test
  @DisplayName("terminate() ends a running map, and an imap iterator, with CancellationException")
  void terminateEndsRunningMapAndIterator() throws Exception {
    Event go = backend().newEvent();
    Queue<Integer> started = queue();
    Duration hang = patience();
    TaskFunction<Integer, Integer> blocked = x -> {
      started.put(x);
      go.await(hang);
      return x;
    };
    try (Pool pool = pool(2)) {
      Background<List<Integer>> mapper = Background.call("map", () -> pool.map(blocked, range(0, 6), 1));
      awaitBothWorkersBusy(started);
      pool.terminate();
      assertThat(mapper.failure(hang)).isInstanceOf(CancellationException.class);
    }
    drain(started);
    try (Pool pool = pool(2)) {
      Iterator<Integer> it = pool.imap(blocked, range(0, 6));
      awaitBothWorkersBusy(started);
      pool.terminate();
      assertThatThrownBy(it::next).isInstanceOf(CancellationException.class);
    }
  }

  @Test
  @DisplayName("map throws MultiprocException caused by InterruptedException when its caller is interrupted")
  void interruptedMapThrows() throws Exception {
    Event go = backend().newEvent();
    Queue<Integer> started = queue();
    Duration hang = patience();
    try (Pool pool = pool(2)) {
      Background<Boolean> mapper = Background.call("map", () -> {
        try {
          pool.map(x -> {
            started.put(x);
            go.await(hang);
            return x;
          }, range(0, 4), 1);
          return null;
        } catch (MultiprocException e) {
          assertThat(e).hasCauseInstanceOf(InterruptedException.class);
          return Thread.currentThread().isInterrupted();
        }
      });
      awaitBothWorkersBusy(started);
      mapper.awaitParked(hang);
      mapper.interrupt();
      assertThat(mapper.result(hang)).as("the interrupt flag after map threw").isTrue();
      go.set();
      assertThat(pool.map(x -> -x, range(0, 3))).containsExactly(0, -1, -2);
    } // close()
    assertThat(drain(started)).as("queued items started after the interrupt").isEmpty();
  }

  @Test
  @DisplayName("close() interrupted while waiting terminates the pool and keeps the interrupt flag")
  void interruptedCloseTerminates() throws Exception {
    Event go = backend().newEvent();
    Queue<Integer> started = queue();
    Duration hang = patience();
    Pool pool = pool(2);
    List<CompletableFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = i;
      futures.add(pool.submit(() -> {
        started.put(n);
        go.await(hang);
        return n;
      }));
    }
    awaitBothWorkersBusy(started);
    Background<Boolean> closer = Background.call("pool-close", () -> {
      pool.close();
      return Thread.currentThread().isInterrupted();
    });
    closer.awaitParked(hang);
    closer.interrupt();
    assertThat(closer.result(hang)).as("the interrupt flag after close() returned").isTrue();
    for (CompletableFuture<Integer> f : futures) {
      assertThatThrownBy(() -> get(f)).isInstanceOf(CancellationException.class);
    }
    assertRejectsWork(pool);
  }

  /** Waits until two tasks report that they started: one on each of the pool's 2 workers. */
  private void awaitBothWorkersBusy(Queue<Integer> started) throws InterruptedException {
    for (int i = 0; i < 2; i++) {
      if (started.get(patience()).isEmpty()) {
        throw new AssertionError(i + " of 2 blocking tasks started within " + patience()
            + ": a pool of 2 workers must run 2 tasks at once (a worker must not hold queued work while another is idle)");
      }
    }
  }

  private static void assertRejectsWork(Pool pool) {
    assertThatThrownBy(() -> pool.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> pool.map(x -> x, range(0, 3))).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> pool.map(x -> x, range(0, 3), 1)).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> pool.imap(x -> x, range(0, 3))).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> pool.imapUnordered(x -> x, range(0, 3))).isInstanceOf(RejectedExecutionException.class);
  }

  @Test
  @DisplayName("mapAsync returns at once and its future completes with the results in input order")
  void mapAsyncDoesNotBlock() throws Exception {
    Event go = backend().newEvent();
    Duration hang = patience();
    try (Pool pool = pool(2)) {
      CompletableFuture<List<Integer>> f = pool.mapAsync(x -> {
        if (!go.await(hang)) {
          throw new TimeoutException("go was never set");
        }
        return x * 10;
      }, range(0, 20));
      assertThat(f).as("mapAsync returned while its work waits").isNotDone();
      go.set();
      assertThat(get(f)).isEqualTo(range(0, 20).stream().map(x -> x * 10).toList());
      assertThat(get(pool.mapAsync(x -> x, List.<Integer>of()))).isEmpty();
    }
  }

  @Test
  @DisplayName("a dependent stage of mapAsync's or submit's future may block on the same pool (Pool(1)): it runs on no thread the pool needs")
  void dependentStagesMayUseThePool() throws Exception {
    try (Pool pool = pool(1)) {
      CompletableFuture<List<Integer>> nested = pool.<Integer, Integer>mapAsync(x -> x + 1, range(0, 4))
          .thenApply(r -> pool.map(x -> x * 2, r));
      assertThat(get(nested)).containsExactly(2, 4, 6, 8);
      CompletableFuture<Integer> chained = pool.submit(() -> 20).thenApply(r -> pool.submit(() -> r + 1).join());
      assertThat(get(chained)).isEqualTo(21);
    }
  }

  @Test
  @DisplayName("mapAsync reports a failing item through its future; the pool stays usable")
  void mapAsyncFailure() throws Exception {
    try (Pool pool = pool(2)) {
      CompletableFuture<List<Integer>> f = pool.mapAsync(x -> {
        if (x == 3) {
          throw new IOException("item three");
        }
        return x;
      }, range(0, 8));
      Throwable t = catchThrowable(() -> get(f));
      assertThat(t).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TaskFailedException.class);
      assertThat(t.getCause()).hasMessageContaining("3").hasRootCauseInstanceOf(IOException.class);
      assertThat(get(pool.mapAsync(x -> x + 1, range(0, 3)))).containsExactly(1, 2, 3);
      assertThatNullPointerException().isThrownBy(() -> pool.mapAsync(x -> x, Arrays.asList(1, null)));
      assertThatNullPointerException().isThrownBy(() -> pool.mapAsync(null, range(0, 1)));
    }
  }

  @Test
  @DisplayName("cancelling mapAsync's future skips the items not started; a closed pool rejects it")
  void mapAsyncCancelAndReject() throws Exception {
    Event go = backend().newEvent();
    Queue<Integer> started = queue();
    Duration hang = patience();
    Pool pool = pool(b -> b.workers(1).chunkSize(1));
    try {
      CompletableFuture<List<Integer>> f = pool.mapAsync(x -> {
        started.put(x);
        go.await(hang);
        return x;
      }, range(0, 10));
      assertThat(take(started)).isZero();
      assertThat(f.cancel(true)).isTrue();
      go.set();
      assertThat(get(pool.submit(() -> "after"))).isEqualTo("after");
      assertThat(drain(started)).as("items started after the cancel").hasSizeLessThanOrEqualTo(1);
    } finally {
      pool.close();
    }
    Throwable t = catchThrowable(() -> pool.mapAsync(x -> x, range(0, 3)).get(hang.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
    assertThat(t instanceof RejectedExecutionException || t.getCause() instanceof RejectedExecutionException)
        .as("rejected, at once or through the future: %s", t).isTrue();
  }
}
