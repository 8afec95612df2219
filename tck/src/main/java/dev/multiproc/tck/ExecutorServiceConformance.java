package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Event;
import dev.multiproc.NotShippableException;
import dev.multiproc.Pool;
import dev.multiproc.Queue;
import java.io.Serializable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Pool#asExecutorService()}: tasks run on the pool's workers, futures carry results and
 * failures, {@code invokeAll}/{@code invokeAny} work, shutting the view down ends the view and not
 * the pool, closing the pool shuts the view, and a task that cannot travel is refused on backends
 * that {@linkplain #shipsWork() ship work}.
 *
 * <p>Tasks are {@code Callable & Serializable} or {@code Runnable & Serializable} lambdas, as a user
 * of a shipping backend writes them.
 */
public abstract class ExecutorServiceConformance extends ConformanceSuite {

  /** For a backend that runs this suite alone: override {@link #provider()}. */
  protected ExecutorServiceConformance() {}

  ExecutorServiceConformance(ConformanceHooks kit) {
    super(kit);
  }

  /** A task that returns a value; serializable so that it can travel. */
  private interface Call<T> extends Callable<T>, Serializable {}

  /** A task without a result; serializable so that it can travel. */
  private interface Run extends Runnable, Serializable {}

  @Test
  @DisplayName("execute and submit run tasks on the pool's workers and futures carry the results")
  void tasksRunOnThePool() throws Exception {
    Queue<String> ran = queue();
    try (Pool pool = pool(2)) {
      String here = identity();
      ExecutorService view = pool.asExecutorService();
      view.execute((Run) () -> ran.tryPut("execute " + identity()));
      Future<String> called = view.submit((Call<String>) () -> identity());
      Future<String> withResult = view.submit((Run) () -> ran.tryPut("submit"), "done");
      Future<?> plain = view.submit((Run) () -> ran.tryPut("plain"));
      assertThat(get(called)).isNotEqualTo(here);
      assertThat(get(withResult)).isEqualTo("done");
      assertThat(get(plain)).isNull();
      List<String> reports = take(ran, 3);
      assertThat(reports).contains("submit", "plain");
      assertThat(reports).filteredOn(r -> r.startsWith("execute ")).singleElement()
          .isNotEqualTo("execute " + here);
    }
  }

  @Test
  @DisplayName("a task that throws fails its future with the exception")
  void aFailingTaskFailsItsFuture() {
    try (Pool pool = pool(1)) {
      Future<Integer> f = pool.asExecutorService().submit((Call<Integer>) () -> {
        throw new IllegalArgumentException("bad input 7");
      });
      assertThatThrownBy(() -> get(f)).isInstanceOf(ExecutionException.class)
          .cause().hasMessageContaining("bad input 7");
    }
  }

  @Test
  @DisplayName("invokeAll returns every future done, in order; invokeAny returns one result")
  void invokeAllAndInvokeAny() throws Exception {
    try (Pool pool = pool(2)) {
      ExecutorService view = pool.asExecutorService();
      List<Call<Integer>> tasks = List.of(() -> 1, () -> 2, () -> 3);
      List<Future<Integer>> all = view.invokeAll(tasks);
      assertThat(all).allMatch(Future::isDone);
      assertThat(all.stream().map(f -> f.resultNow()).toList()).containsExactly(1, 2, 3);
      assertThat(view.invokeAny(tasks)).isIn(1, 2, 3);
      List<Call<Integer>> failing = List.of(() -> {
        throw new IllegalStateException("no luck");
      });
      assertThatThrownBy(() -> view.invokeAny(failing)).isInstanceOf(ExecutionException.class)
          .cause().hasMessageContaining("no luck");
    }
  }

  @Test
  @DisplayName("shutdown and close end the view, not the pool")
  void shuttingTheViewDownLeavesThePoolOpen() throws Exception {
    try (Pool pool = pool(2)) {
      ExecutorService view = pool.asExecutorService();
      Future<Integer> f = view.submit((Call<Integer>) () -> 6 * 7);
      view.shutdown();
      assertThat(view.isShutdown()).isTrue();
      assertThatThrownBy(() -> view.submit((Call<Integer>) () -> 1)).isInstanceOf(RejectedExecutionException.class);
      assertThat(view.awaitTermination(patience().toNanos(), TimeUnit.NANOSECONDS)).isTrue();
      assertThat(view.isTerminated()).isTrue();
      assertThat(f.resultNow()).isEqualTo(42);

      ExecutorService other = pool.asExecutorService();
      other.close();
      assertThat(other.isTerminated()).isTrue();
      assertThat(pool.map(x -> x + 1, List.of(1, 2))).containsExactly(2, 3);
      assertThat(get(pool.asExecutorService().submit((Call<String>) () -> "still open"))).isEqualTo("still open");
    }
  }

  @Test
  @DisplayName("closing the pool shuts its views down")
  void closingThePoolShutsTheView() throws Exception {
    Pool pool = pool(1);
    ExecutorService view = pool.asExecutorService();
    assertThat(view.isShutdown()).isFalse();
    pool.close();
    assertThat(view.isShutdown()).isTrue();
    assertThat(view.awaitTermination(patience().toNanos(), TimeUnit.NANOSECONDS)).isTrue();
    assertThatThrownBy(() -> view.execute((Run) () -> {})).isInstanceOf(RejectedExecutionException.class);
  }

  @Test
  @DisplayName("shutdownNow cancels the tasks that have not run and returns them")
  void shutdownNowCancelsWaitingTasks() throws Exception {
    Event release = backend().newEvent();
    Queue<String> started = queue();
    try (Pool pool = pool(1)) {
      ExecutorService view = pool.asExecutorService();
      Future<?> blocker = view.submit((Run) () -> {
        started.tryPut("blocker");
        awaitQuietly(release);
      });
      assertThat(take(started)).isEqualTo("blocker");
      Run second = () -> started.tryPut("second");
      Future<?> waiting = view.submit(second);
      List<Runnable> cancelled = view.shutdownNow();
      assertThat(cancelled).contains(second);
      assertThat(waiting.isCancelled()).isTrue();
      assertThat(view.awaitTermination(patience().toNanos(), TimeUnit.NANOSECONDS)).isTrue();
      release.set();
      assertThat(pool.map(x -> x, List.of(5))).containsExactly(5); // the pool goes on
      assertThat(started.get(STILL_BLOCKED)).as("the cancelled task never ran").isEmpty();
      assertThat(blocker.isDone()).isTrue();
    }
  }

  @Test
  @DisplayName("a task that cannot be serialized is refused on backends that ship work, and runs on the others")
  void unserializableTasksAndCompletableFutures() throws Exception {
    try (Pool pool = pool(1)) {
      ExecutorService view = pool.asExecutorService();
      Set<Thread> notSerializable = Set.of(Thread.currentThread());
      Callable<Integer> captures = () -> notSerializable.size();
      if (shipsWork()) {
        assertThatThrownBy(() -> view.submit(captures)).isInstanceOf(NotShippableException.class);
        assertThatThrownBy(() -> CompletableFuture.supplyAsync(() -> 1, view)).isInstanceOf(NotShippableException.class);
      } else {
        assertThat(get(view.submit(captures))).isEqualTo(1);
        CompletableFuture<Integer> doubled = CompletableFuture.supplyAsync(() -> 21, view).thenApply(x -> x * 2);
        assertThat(get(doubled)).isEqualTo(42);
      }
    }
  }

  private static void awaitQuietly(Event e) {
    try {
      e.await();
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }
}
