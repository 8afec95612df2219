package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.multiproc.Event;
import dev.multiproc.MultiprocException;
import dev.multiproc.NotShippableException;
import dev.multiproc.Pool;
import dev.multiproc.Queue;
import dev.multiproc.TaskFunction;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Behaviours that CPython's own tests pin down for {@code multiprocessing} and
 * {@code concurrent.futures} ({@code Lib/test/_test_multiprocessing.py},
 * {@code Lib/test/test_concurrent_futures/}), translated to multiproc's API:
 *
 * <ul>
 *   <li>an input iterator that throws: {@code imap} and {@code imapUnordered} yield the results
 *       before it, then the iterator's own exception, and end; {@code map} fails with that
 *       exception and runs nothing ({@code test_imap_handle_iterable_exception},
 *       {@code test_imap_unordered_handle_iterable_exception}, {@code test_map_handle_iterable_exception});
 *   <li>on backends that {@linkplain #shipsObjects() ship objects}: a task, function, item, result,
 *       exception or queue item that cannot be written or read back fails only the call it belongs
 *       to, with a {@link MultiprocException} naming its class, and the pool, queue and worker stay
 *       usable ({@code test_concurrent_futures/test_deadlock.py}: error at pickle and unpickle of
 *       tasks and results, {@code test_error_during_result_unpickle_in_result_handler},
 *       {@code test_unpickleable_result}, {@code test_queue_feeder_donot_stop_onexc});
 *   <li>a {@link Worker} whose task starts a non-daemon thread: that thread is not cut off, and
 *       the exit code is the task's outcome. Where a worker is a process ({@link #workersHavePids()})
 *       the worker lives until that thread ends, as a Python {@code Process} does
 *       ({@code test_wait_for_threads}); on in-JVM backends a worker is a thread and, like Python's
 *       {@code threading.Thread} (CPython skips that test for threads), ends with its task, while
 *       the non-daemon thread runs on in the same JVM;
 *   <li>empty and one-shot inputs, large items and results, a pool closed while
 *       {@code maxTasksPerWorker} replaces workers, callbacks that throw, and the stack trace of a
 *       task's exception.
 * </ul>
 */
public abstract class PythonParityConformance extends ConformanceSuite {

  /** How many times in a row a failure that must not cost a worker is provoked. */
  protected static final int REPEATS = 20;

  /** For a backend that runs this suite alone: override {@link #provider()}. */
  protected PythonParityConformance() {}

  PythonParityConformance(ConformanceHooks kit) {
    super(kit);
  }

  // ------------------------------------------------------------------ an input iterator that throws

  @Test
  @DisplayName("imap yields the results before a failing input position, then the iterator's own exception, then ends")
  void imapYieldsResultsThenTheInputsException() {
    for (int chunk : new int[] {1, 2}) {
      try (Pool pool = pool(b -> b.workers(2).chunkSize(chunk))) {
        for (boolean inHasNext : new boolean[] {false, true}) {
          String where = "chunkSize " + chunk + (inHasNext ? ", hasNext() throws" : ", next() throws");
          RuntimeException broken = new IllegalStateException("the input broke at item 3");
          BreakingSource source = new BreakingSource(3, broken, inHasNext);
          Iterator<Integer> it = pool.imap(x -> x * 10, () -> source);
          for (int i = 0; i < 3; i++) {
            assertThat(it.next()).as("result %s (%s)", i, where).isEqualTo(i * 10);
          }
          Throwable thrown = catchThrowable(it::next);
          assertThat(thrown).as("next() at the failing position (%s)", where).isSameAs(broken);
          assertThat(it.hasNext()).as("hasNext() after the input failed (%s)", where).isFalse();
          assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
          assertThat(source.callsAfterFailure()).as("input calls after it threw (%s)", where).isZero();
        }
      }
    }
  }

  @Test
  @DisplayName("imapUnordered yields every result before a failing input position, then the iterator's own exception, then ends")
  void imapUnorderedYieldsResultsThenTheInputsException() {
    try (Pool pool = pool(b -> b.workers(2).chunkSize(2))) {
      for (boolean inHasNext : new boolean[] {false, true}) {
        RuntimeException broken = new IllegalArgumentException("the input broke at item 3");
        BreakingSource source = new BreakingSource(3, broken, inHasNext);
        Iterator<Integer> it = pool.imapUnordered(x -> {
          simulateWork(pseudoRandomMillis(x));
          return x * 10;
        }, () -> source);
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          got.add(it.next());
        }
        assertThat(got).containsExactlyInAnyOrder(0, 10, 20);
        assertThat(catchThrowable(it::next)).as("next() after the results").isSameAs(broken);
        assertThat(it.hasNext()).isFalse();
        assertThat(source.callsAfterFailure()).isZero();
      }
    }
  }

  @Test
  @DisplayName("map fails with the input iterator's own exception and runs nothing; the pool stays usable, repeatedly")
  void mapFailsWithTheInputsException() throws InterruptedException {
    Queue<Integer> ran = queue();
    try (Pool pool = pool(2)) {
      TaskFunction<Integer, Integer> record = x -> {
        ran.put(x);
        return x;
      };
      for (int i = 0; i < 4; i++) {
        RuntimeException broken = new IllegalStateException("the input broke at item 3, round " + i);
        BreakingSource source = new BreakingSource(3, broken, i % 2 == 1);
        Throwable thrown = i < 2 ? catchThrowable(() -> pool.map(record, () -> source))
            : catchThrowable(() -> pool.map(record, () -> source, 1));
        assertThat(thrown).as("what map threw, round %s", i).isSameAs(broken);
        assertThat(pool.map(x -> x + 1, range(0, 5))).containsExactly(1, 2, 3, 4, 5);
      }
    }
    assertThat(drain(ran)).as("items run by a map whose input failed (it reads its input first, as Python's does)").isEmpty();
  }

  /** Yields 0, 1, 2, ... and throws {@code failure} at {@code failAt}, from next() or hasNext(). Stays in the test's JVM. */
  private static final class BreakingSource implements Iterator<Integer> {
    private final int failAt;
    private final RuntimeException failure;
    private final boolean inHasNext;
    private int next;
    private boolean failed;
    private int callsAfterFailure;

    BreakingSource(int failAt, RuntimeException failure, boolean inHasNext) {
      this.failAt = failAt;
      this.failure = failure;
      this.inHasNext = inHasNext;
    }

    @Override
    public boolean hasNext() {
      check(inHasNext);
      return true;
    }

    @Override
    public Integer next() {
      check(!inHasNext);
      return next++;
    }

    private void check(boolean here) {
      if (failed) {
        callsAfterFailure++;
        throw new IllegalStateException("the input was read again after it threw");
      }
      if (here && next == failAt) {
        failed = true;
        throw failure;
      }
    }

    int callsAfterFailure() {
      return callsAfterFailure;
    }
  }

  // ------------------------------------------------------------------ empty and one-shot inputs

  @Test
  @DisplayName("imap and imapUnordered of no items end at once")
  void iteratorsOfNothingEnd() {
    try (Pool pool = pool(2)) {
      for (Iterator<Integer> it : List.of(pool.imap(x -> x, List.<Integer>of()), pool.imapUnordered(x -> x, List.<Integer>of()))) {
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
      }
    }
  }

  @Test
  @DisplayName("map, imap and imapUnordered iterate their input once (a one-shot iterable, like a generator)")
  void inputsAreIteratedOnce() {
    try (Pool pool = pool(2)) {
      assertThat(pool.map(x -> x * 2, new OneShot<>(range(0, 10)))).containsExactlyElementsOf(range(0, 20).stream().filter(x -> x % 2 == 0).toList());
      List<Integer> ordered = new ArrayList<>();
      pool.imap(x -> x * 2, new OneShot<>(range(0, 10))).forEachRemaining(ordered::add);
      assertThat(ordered).containsExactly(0, 2, 4, 6, 8, 10, 12, 14, 16, 18);
      List<Integer> unordered = new ArrayList<>();
      pool.imapUnordered(x -> x * 2, new OneShot<>(range(0, 10))).forEachRemaining(unordered::add);
      assertThat(unordered).containsExactlyInAnyOrder(0, 2, 4, 6, 8, 10, 12, 14, 16, 18);
    }
  }

  /** An iterable whose iterator may be asked for once, like a Python generator. Stays in the test's JVM. */
  private static final class OneShot<T> implements Iterable<T> {
    private final List<T> items;
    private final AtomicBoolean used = new AtomicBoolean();

    OneShot(List<T> items) {
      this.items = items;
    }

    @Override
    public Iterator<T> iterator() {
      if (!used.compareAndSet(false, true)) {
        throw new IllegalStateException("a one-shot input was iterated twice");
      }
      return items.iterator();
    }
  }

  // ------------------------------------------------------------------ what cannot be read back (shipping backends)

  @Test
  @DisplayName("ships objects: an unreadable result fails its future with a MultiprocException naming the class, 20 times, on the same worker")
  void unreadableResultOfSubmit() throws Exception {
    assumeShips();
    try (Pool pool = pool(1)) {
      String worker = get(pool.submit(() -> identity()));
      for (int i = 0; i < REPEATS; i++) {
        String tag = "result " + i;
        CompletableFuture<Unreadable> f = pool.submit(() -> new Unreadable(tag));
        Throwable thrown = catchThrowable(() -> get(f));
        assertThat(thrown).as("round %s", i).isInstanceOf(ExecutionException.class);
        assertNamesCulprit(thrown.getCause(), Unreadable.class, "result");
      }
      assertThat(get(pool.submit(() -> identity()))).as("the worker after %s unreadable results", REPEATS).isEqualTo(worker);
    }
  }

  @Test
  @DisplayName("ships objects: an unreadable result fails map, imap and imapUnordered at its item only, 20 times, on the same worker")
  void unreadableResultOfMapAndIterators() throws Exception {
    assumeShips();
    try (Pool pool = pool(1)) {
      String worker = get(pool.submit(() -> identity()));
      TaskFunction<Integer, Object> fn = x -> x == 3 ? new Unreadable("item " + x) : x;
      for (int i = 0; i < REPEATS; i++) {
        Throwable thrown = catchThrowable(() -> pool.map(fn, range(0, 6), 1));
        assertNamesCulprit(thrown, Unreadable.class, "result");

        Iterator<Object> it = pool.imap(fn, range(0, 6));
        for (int x = 0; x < 6; x++) {
          if (x == 3) {
            assertNamesCulprit(catchThrowable(it::next), Unreadable.class, "result");
          } else {
            assertThat(it.next()).as("imap result %s, round %s", x, i).isEqualTo(x);
          }
        }
        assertThat(it.hasNext()).isFalse();

        Iterator<Object> unordered = pool.imapUnordered(fn, range(0, 6));
        List<Object> values = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        while (unordered.hasNext()) {
          try {
            values.add(unordered.next());
          } catch (MultiprocException e) {
            failures.add(e);
          }
        }
        assertThat(values).containsExactlyInAnyOrder(0, 1, 2, 4, 5);
        assertThat(failures).singleElement().satisfies(e -> assertNamesCulprit(e, Unreadable.class, "result"));
      }
      assertThat(pool.map(x -> x * 2, range(0, 4))).containsExactly(0, 2, 4, 6);
      assertThat(get(pool.submit(() -> identity()))).isEqualTo(worker);
    }
  }

  @Test
  @DisplayName("ships objects: a task, function or item its worker cannot read fails that call with a MultiprocException naming the class, 20 times")
  void unreadableTaskFunctionAndItem() throws Exception {
    assumeShips();
    try (Pool pool = pool(1)) {
      String worker = get(pool.submit(() -> identity()));
      for (int i = 0; i < REPEATS; i++) {
        Unreadable captured = new Unreadable("captured " + i);
        Throwable task = catchThrowable(() -> get(pool.submit(() -> captured.tag)));
        assertThat(task).isInstanceOf(ExecutionException.class);
        assertNamesCulprit(task.getCause(), Unreadable.class, "task");

        assertNamesCulprit(catchThrowable(() -> pool.map(x -> captured.tag + x, range(0, 3))), Unreadable.class, "function");

        List<Object> items = List.of(1, new Unreadable("item " + i), 3);
        assertNamesCulprit(catchThrowable(() -> pool.map((Object x) -> String.valueOf(x), items, 1)), Unreadable.class, "item");
      }
      assertThat(get(pool.submit(() -> identity()))).isEqualTo(worker);
    }
  }

  @Test
  @DisplayName("ships objects: a result, task or item that cannot be written fails its call with NotShippableException naming the class, 20 times")
  void unwritableObjects() throws Exception {
    assumeShips();
    try (Pool pool = pool(1)) {
      String worker = get(pool.submit(() -> identity()));
      for (int i = 0; i < REPEATS; i++) {
        String tag = "result " + i;
        Throwable result = catchThrowable(() -> get(pool.submit(() -> new Unwritable(tag))));
        assertThat(result).isInstanceOf(ExecutionException.class);
        assertNamesCulprit(result.getCause(), Unwritable.class, null);
        assertThat(result.getCause()).isInstanceOf(NotShippableException.class);

        assertNamesCulprit(catchThrowable(() -> pool.map(x -> x == 1 ? new Unwritable(tag) : x, range(0, 3), 1)),
            Unwritable.class, null);

        Unwritable captured = new Unwritable("captured " + i);
        Throwable task = catchThrowable(() -> get(pool.submit(() -> captured.tag)));
        Throwable reported = task instanceof ExecutionException ? task.getCause() : task;
        assertThat(reported).as("submit of a task that cannot be written").isInstanceOf(NotShippableException.class);
        assertNamesCulprit(reported, Unwritable.class, null);

        List<Object> items = List.of(1, new Unwritable("item " + i));
        assertThat(catchThrowable(() -> pool.map((Object x) -> String.valueOf(x), items))).isInstanceOf(NotShippableException.class);
      }
      assertThat(get(pool.submit(() -> identity()))).isEqualTo(worker);
    }
  }

  @Test
  @DisplayName("ships objects: a task's exception that cannot be read back fails its future and worker with a MultiprocException naming the class")
  void unreadableExceptions() throws Exception {
    assumeShips();
    try (Pool pool = pool(1)) {
      String worker = get(pool.submit(() -> identity()));
      for (int i = 0; i < REPEATS; i++) {
        String message = "thrown by task " + i;
        Throwable thrown = catchThrowable(() -> get(pool.submit(() -> {
          throw new UnreadableException(message);
        })));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        assertNamesCulprit(thrown.getCause(), UnreadableException.class, null);
      }
      assertThat(get(pool.submit(() -> identity()))).isEqualTo(worker);
    }
    Worker w = backend().newWorker(() -> {
      throw new UnreadableException("thrown by a worker");
    }, WorkerOptions.defaults()).start();
    assertThat(w.join(patience())).isTrue();
    assertThat(w.exitCode()).hasValue(1);
    assertThat(w.failure()).as("failure()").isPresent();
    assertNamesCulprit(w.failure().orElseThrow(), UnreadableException.class, null);
  }

  @Test
  @DisplayName("ships objects: a worker whose task cannot be read exits with 1 and a failure() naming the class")
  void unreadableWorkerTask() throws Exception {
    assumeShips();
    Unreadable captured = new Unreadable("captured by a worker's task");
    Worker w = backend().newWorker(() -> System.out.println(captured.tag), WorkerOptions.defaults()).start();
    assertThat(w.join(patience())).isTrue();
    assertThat(w.exitCode()).hasValue(1);
    assertThat(w.failure()).isPresent();
    assertNamesCulprit(w.failure().orElseThrow(), Unreadable.class, "task");
  }

  @Test
  @DisplayName("ships objects: an unreadable queue item fails that get, tryGet or get(timeout) with a MultiprocException naming the class; the queue carries on")
  void unreadableQueueItemInTheCaller() throws Exception {
    assumeShips();
    Queue<Object> q = queue();
    Worker w = backend().newWorker(() -> {
      for (int i = 0; i < REPEATS; i++) {
        q.put(new Unreadable("queue item " + i));
      }
      q.put("after");
    }, WorkerOptions.defaults()).start();
    assertThat(w.join(patience())).isTrue();
    assertThat(w.exitCode()).hasValue(0);
    Duration hang = patience();
    for (int i = 0; i < REPEATS; i++) {
      Throwable thrown = switch (i % 3) {
        case 0 -> catchThrowable(q::get);
        case 1 -> catchThrowable(() -> q.get(hang));
        default -> catchThrowable(q::tryGet);
      };
      assertNamesCulprit(thrown, Unreadable.class, "queue item");
    }
    assertThat(take(q)).as("the item after the unreadable ones (each unreadable item is consumed, as in Python)").isEqualTo("after");
    assertThat(q.size()).isZero();
  }

  @Test
  @DisplayName("ships objects: an unreadable queue item fails a worker's get with a MultiprocException naming the class; the worker and queue carry on")
  void unreadableQueueItemInAWorker() throws Exception {
    assumeShips();
    Queue<Object> toWorker = queue();
    Queue<String> reports = queue();
    for (int i = 0; i < REPEATS; i++) {
      toWorker.put(new Unreadable("queue item " + i));
    }
    toWorker.put("after");
    Worker w = backend().newWorker(() -> {
      for (int i = 0; i < REPEATS; i++) {
        try {
          reports.put("read " + toWorker.get());
        } catch (MultiprocException e) {
          reports.put("failed: " + e.getMessage());
        }
      }
      reports.put("then " + toWorker.get());
    }, WorkerOptions.defaults()).start();
    List<String> got = take(reports, REPEATS + 1);
    for (int i = 0; i < REPEATS; i++) {
      assertThat(got.get(i)).as("report %s", i).startsWith("failed: ").contains(Unreadable.class.getName()).containsIgnoringCase("queue item");
    }
    assertThat(got.get(REPEATS)).isEqualTo("then after");
    assertThat(w.join(patience())).isTrue();
    assertThat(w.exitCode()).hasValue(0);
  }

  @Test
  @DisplayName("ships objects: put of a queue item that cannot be written throws NotShippableException; the queue carries on")
  void unwritableQueueItem() throws Exception {
    assumeShips();
    Queue<Object> q = queue();
    for (int i = 0; i < 3; i++) {
      Unwritable item = new Unwritable("queue item " + i);
      assertThatThrownBy(() -> q.put(item)).isInstanceOf(NotShippableException.class).hasMessageContaining(Unwritable.class.getName());
      assertThatThrownBy(() -> q.tryPut(item)).isInstanceOf(NotShippableException.class);
    }
    q.put("fine");
    assertThat(q.size()).isEqualTo(1);
    assertThat(take(q)).isEqualTo("fine");
  }

  private void assumeShips() {
    assumeTrue(shipsObjects(), "applies only to backends that ship objects (shipsObjects()): here objects are handed over by reference");
  }

  /**
   * Asserts that {@code thrown} is, or is caused by, a {@link MultiprocException} whose message
   * names {@code culprit} and, if given, says what failed.
   */
  static void assertNamesCulprit(Throwable thrown, Class<?> culprit, String what) {
    assertThat(thrown).as("what the call threw").isNotNull();
    List<Throwable> chain = new ArrayList<>();
    IdentityHashMap<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable t = thrown; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
      chain.add(t);
    }
    assertThat(thrown).as("the exception (chain %s)", chain).isInstanceOf(MultiprocException.class);
    Optional<Throwable> naming = chain.stream()
        .filter(t -> t instanceof MultiprocException && String.valueOf(t.getMessage()).contains(culprit.getName()))
        .findFirst();
    assertThat(naming).as("a MultiprocException naming %s in %s", culprit.getName(), chain).isPresent();
    if (what != null) {
      assertThat(naming.get().getMessage()).as("the message says what failed").containsIgnoringCase(what);
    }
  }

  /** Serializable, but its readObject always throws: it can be sent and never read back. */
  static final class Unreadable implements Serializable {
    @Serial private static final long serialVersionUID = 1L;
    final String tag;

    Unreadable(String tag) {
      this.tag = tag;
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      throw new IllegalStateException("Unreadable refuses to be read back (" + tag + ")");
    }

    @Override
    public String toString() {
      return "Unreadable(" + tag + ")";
    }
  }

  /** Serializable, but its writeObject always throws (an unchecked exception, not an IOException). */
  static final class Unwritable implements Serializable {
    @Serial private static final long serialVersionUID = 1L;
    final String tag;

    Unwritable(String tag) {
      this.tag = tag;
    }

    @Serial
    private void writeObject(ObjectOutputStream out) throws IOException {
      throw new IllegalStateException("Unwritable refuses to be written (" + tag + ")");
    }

    @Override
    public String toString() {
      return "Unwritable(" + tag + ")";
    }
  }

  /** An exception that can be sent but never read back. */
  static final class UnreadableException extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    UnreadableException(String message) {
      super(message);
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      throw new IllegalStateException("UnreadableException refuses to be read back");
    }
  }

  // ------------------------------------------------------------------ a worker's non-daemon threads

  @Test
  @DisplayName("a worker's non-daemon thread is not cut off when the task ends; exit code 0, or 1 with failure(); a process worker waits for it")
  void workerWaitsForItsNonDaemonThreads() throws Exception {
    for (boolean fail : new boolean[] {false, true}) {
      Queue<String> reports = queue();
      Event go = backend().newEvent();
      Duration hang = patience();
      Worker w = backend().newWorker(() -> {
        Thread helper = new Thread(() -> {
          try {
            reports.put(go.await(hang) ? "helper finished" : "helper never released");
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "tck-helper");
        helper.setDaemon(false);
        helper.start();
        reports.put("task returned");
        if (fail) {
          throw new IOException("the task failed after starting a helper");
        }
      }, WorkerOptions.defaults()).start();
      assertThat(take(reports)).isEqualTo("task returned");
      if (workersHavePids()) {
        assertThat(w.join(STILL_BLOCKED)).as("join() of a process worker waits for its non-daemon thread").isFalse();
        assertThat(w.isAlive()).as("a process worker is alive while its non-daemon thread runs").isTrue();
        assertThat(w.exitCode()).isEmpty();
      }
      go.set();
      assertThat(take(reports)).as("the non-daemon thread ran to its end (fail=%s)", fail).isEqualTo("helper finished");
      assertThat(w.join(hang)).isTrue();
      assertThat(w.exitCode()).as("exit code (fail=%s)", fail).hasValue(fail ? 1 : 0);
      if (fail) {
        assertThat(w.failure()).get().isInstanceOfSatisfying(IOException.class,
            e -> assertThat(e).hasMessage("the task failed after starting a helper"));
      } else {
        assertThat(w.failure()).isEmpty();
      }
    }
  }

  @Test
  @DisplayName("process workers: terminate() and kill() end a worker that waits for its non-daemon thread at once (-15, -9)")
  void stopWorkerWaitingForItsThreads() throws Exception {
    assumeTrue(workersHavePids(), "applies only where a worker is a process: elsewhere the worker ended with its task");
    for (boolean terminate : new boolean[] {true, false}) {
      Queue<String> reports = queue();
      Event never = backend().newEvent();
      Duration hang = patience();
      Worker w = backend().newWorker(() -> {
        Thread helper = new Thread(() -> {
          try {
            never.await(hang);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "tck-lingering");
        helper.start();
        reports.put("task returned");
      }, WorkerOptions.defaults()).start();
      assertThat(take(reports)).isEqualTo("task returned");
      assertThat(w.join(STILL_BLOCKED)).as("the worker waits for its thread").isFalse();
      if (terminate) {
        w.terminate();
      } else {
        w.kill();
      }
      assertThat(w.join(hang)).isTrue();
      assertThat(w.exitCode()).hasValue(terminate ? -15 : -9);
    }
  }

  // ------------------------------------------------------------------ further CPython behaviours

  @Test
  @DisplayName("close() with maxTasksPerWorker 1 runs every accepted task, each on a fresh worker")
  void closeWhileWorkersAreReplaced() throws Exception {
    Pool pool = pool(b -> b.workers(2).maxTasksPerWorker(1));
    List<CompletableFuture<String>> futures = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      futures.add(pool.submit(() -> identity()));
    }
    pool.close();
    List<String> who = new ArrayList<>();
    for (CompletableFuture<String> f : futures) {
      assertThat(f).as("a task accepted before close()").isDone();
      who.add(get(f));
    }
    assertThat(new HashSet<>(who)).as("workers that ran the 4 tasks").hasSize(4);
  }

  @Test
  @DisplayName("a callback (dependent stage) that throws fails only itself; every result still arrives and the pool carries on")
  void throwingCallbacksDoNotHurtThePool() throws Exception {
    try (Pool pool = pool(2)) {
      CompletableFuture<Integer> f = pool.submit(() -> 21);
      CompletableFuture<Integer> doubled = f.thenApply(x -> {
        throw new IllegalStateException("the callback failed");
      });
      assertThatThrownBy(() -> get(doubled)).isInstanceOf(ExecutionException.class).cause().hasMessage("the callback failed");
      assertThat(get(f)).isEqualTo(21);
      List<CompletableFuture<Integer>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int n = i;
        CompletableFuture<Integer> g = pool.submit(() -> n);
        g.whenComplete((r, t) -> {
          throw new IllegalStateException("a whenComplete callback failed");
        });
        futures.add(g);
      }
      for (int i = 0; i < 20; i++) {
        assertThat(get(futures.get(i))).isEqualTo(i);
      }
      assertThat(pool.map(x -> x + 1, range(0, 4))).containsExactly(1, 2, 3, 4);
    }
  }

  @Test
  @DisplayName("large items, results and queue items (megabytes) arrive intact")
  void largeItemsArriveIntact() throws Exception {
    int mb = 1 << 20;
    try (Pool pool = pool(2)) {
      List<byte[]> items = List.of(block(2 * mb, 1), block(2 * mb, 2), block(mb + 7, 3));
      List<Long> sums = pool.map(PythonParityConformance::checksum, items, 1);
      assertThat(sums).containsExactly(checksum(items.get(0)), checksum(items.get(1)), checksum(items.get(2)));
      byte[] result = get(pool.submit(() -> block(8 * mb, 4)));
      assertThat(Arrays.equals(result, block(8 * mb, 4))).as("an 8 MB result").isTrue();
      List<byte[]> echoed = pool.map(b -> b, items, 2);
      for (int i = 0; i < items.size(); i++) {
        assertThat(Arrays.equals(echoed.get(i), items.get(i))).as("echoed item %s", i).isTrue();
      }
    }
    Queue<byte[]> q = queue();
    Worker w = backend().newWorker(() -> q.put(block(4 * mb, 5)), WorkerOptions.defaults()).start();
    assertThat(Arrays.equals(take(q), block(4 * mb, 5))).as("a 4 MB queue item").isTrue();
    assertThat(w.join(patience())).isTrue();
    assertThat(w.exitCode()).hasValue(0);
  }

  /** @return {@code size} bytes that depend on {@code seed} */
  static byte[] block(int size, int seed) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (i * 31 + seed * 17 + (i >>> 12));
    }
    return b;
  }

  static long checksum(byte[] b) {
    long h = 1125899906842597L;
    for (byte x : b) {
      h = 31 * h + x;
    }
    return h;
  }

  @Test
  @DisplayName("a task's exception keeps the stack trace of where it was thrown")
  void taskExceptionKeepsItsStackTrace() {
    try (Pool pool = pool(1)) {
      Throwable thrown = catchThrowable(() -> get(pool.submit(() -> failDeepInside(3))));
      assertThat(thrown).isInstanceOf(ExecutionException.class);
      assertThat(thrown.getCause()).isExactlyInstanceOf(IllegalStateException.class).hasMessage("failed 3 calls deep");
      assertThat(Arrays.stream(thrown.getCause().getStackTrace()).filter(f -> f.getMethodName().equals("failDeepInside")))
          .as("frames of failDeepInside in the task's stack trace").hasSize(4);
      Throwable inMap = catchThrowable(() -> pool.map(x -> failDeepInside(x), List.of(2)));
      assertThat(inMap.getCause().getStackTrace()).anySatisfy(f -> assertThat(f.getMethodName()).isEqualTo("failDeepInside"));
    }
  }

  static int failDeepInside(int depth) {
    if (depth == 0) {
      throw new IllegalStateException("failed 3 calls deep");
    }
    return failDeepInside(depth - 1) + 1;
  }
}
