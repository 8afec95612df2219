package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Event;
import dev.multiproc.Pool;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link Event} contract: {@code set}/{@code clear}/{@code isSet}, {@code await} with and
 * without a timeout, one {@code set} waking every waiter (also when {@code clear} follows at
 * once), interruption, and events captured by tasks inside workers and pools.
 */
public abstract class EventConformance extends ConformanceSuite {

  /** For a backend that runs this suite alone: override {@link #provider()}. */
  protected EventConformance() {}

  EventConformance(ConformanceHooks kit) {
    super(kit);
  }

  @Test
  @DisplayName("an event starts cleared; set and clear flip it and are idempotent")
  void setAndClear() {
    Event e = backend().newEvent();
    assertThat(e.isSet()).isFalse();
    e.set();
    assertThat(e.isSet()).isTrue();
    e.set();
    assertThat(e.isSet()).isTrue();
    e.clear();
    assertThat(e.isSet()).isFalse();
    e.clear();
    assertThat(e.isSet()).isFalse();
  }

  @Test
  @DisplayName("await returns at once when the event is set")
  void awaitWhenSet() throws InterruptedException {
    Event e = backend().newEvent();
    e.set();
    e.await();
    assertThat(e.await(Duration.ofSeconds(5))).isTrue();
    assertThat(e.await(Duration.ZERO)).isTrue();
    assertThat(e.await(Duration.ofMillis(-5))).isTrue();
  }

  @Test
  @DisplayName("await(timeout) returns false when the time runs out; await blocks until set")
  void awaitUntilSet() throws Exception {
    Event e = backend().newEvent();
    assertThat(e.await(Duration.ofMillis(100))).isFalse();
    assertThat(e.await(Duration.ZERO)).isFalse();
    assertThat(e.await(Duration.ofMillis(-5))).isFalse();
    assertThatNullPointerException().isThrownBy(() -> e.await(null));

    Background<Void> waiter = Background.run("event-await", e::await);
    assertThat(waiter.stillRunningAfter(STILL_BLOCKED)).as("await() blocks while the event is clear").isTrue();
    e.set();
    waiter.result(patience());
  }

  @Test
  @DisplayName("one set() wakes every worker waiting on the event")
  void setWakesEveryWaitingWorker() throws Exception {
    Event go = backend().newEvent();
    Queue<String> ready = queue();
    Queue<String> woke = queue();
    Duration hang = patience();
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String name = "waiter-" + i;
      workers.add(backend().newWorker(() -> {
        ready.put(name);
        if (go.await(hang)) {
          woke.put(name);
        }
      }, WorkerOptions.builder().name(name).build()).start());
    }
    assertThat(take(ready, 3)).hasSize(3);
    assertThat(woke.get(STILL_BLOCKED)).as("a waiter woke before set()").isEmpty();
    go.set();
    assertThat(take(woke, 3)).containsExactlyInAnyOrder("waiter-0", "waiter-1", "waiter-2");
    for (Worker w : workers) {
      assertThat(w.join(hang)).isTrue();
      assertThat(w.exitCode()).as("%s exit code", w.name()).hasValue(0);
    }
  }

  @Test
  @DisplayName("set() followed at once by clear() still wakes the threads that were waiting")
  void setThenClearWakesCurrentWaiters() throws Exception {
    Event e = backend().newEvent();
    Background<Void> untimed = Background.run("event-await", e::await);
    Background<Boolean> timed = Background.call("event-await-timeout", () -> e.await(patience()));
    untimed.awaitParked(patience());
    timed.awaitParked(patience());
    e.set();
    e.clear();
    untimed.result(patience());
    assertThat(timed.result(patience())).as("await(timeout) of a waiter woken by set()").isTrue();
    assertThat(e.isSet()).isFalse();
    assertThat(e.await(Duration.ofMillis(50))).as("a new wait after clear()").isFalse();
  }

  @Test
  @DisplayName("an interrupted await throws InterruptedException")
  void interruptedAwait() throws Exception {
    Event e = backend().newEvent();
    Thread.currentThread().interrupt();
    assertThatThrownBy(e::await).as("await() with the interrupt flag set").isInstanceOf(InterruptedException.class);
    Thread.interrupted();
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> e.await(Duration.ofSeconds(5))).as("await(timeout) with the interrupt flag set")
        .isInstanceOf(InterruptedException.class);
    Thread.interrupted();

    Background<Void> untimed = Background.run("event-await", e::await);
    untimed.awaitParked(patience());
    untimed.interrupt();
    assertThat(untimed.failure(patience())).isInstanceOf(InterruptedException.class);
    Background<Boolean> timed = Background.call("event-await-timeout", () -> e.await(patience()));
    timed.awaitParked(patience());
    timed.interrupt();
    assertThat(timed.failure(patience())).isInstanceOf(InterruptedException.class);
    assertThat(e.isSet()).isFalse();
  }

  @Test
  @DisplayName("an event captured by tasks works inside workers and pools")
  void eventHandlesInsideWorkers() throws Exception {
    Event go = backend().newEvent();
    Event done = backend().newEvent();
    Duration hang = patience();
    Worker w = backend().newWorker(() -> {
      if (!go.await(hang)) {
        throw new TimeoutException("go was never set");
      }
      go.clear();
      done.set();
    }, WorkerOptions.defaults()).start();
    go.set();
    assertThat(done.await(hang)).as("the worker set done").isTrue();
    assertThat(w.join(hang)).isTrue();
    assertThat(w.exitCode()).hasValue(0);
    assertThat(go.isSet()).as("cleared by the worker").isFalse();

    Event flag = backend().newEvent();
    try (Pool pool = pool(2)) {
      assertThat(get(pool.submit(() -> flag.isSet()))).isFalse();
      flag.set();
      assertThat(get(pool.submit(() -> flag.isSet()))).isTrue();
      assertThat(get(pool.submit(() -> {
        flag.clear();
        return flag.isSet();
      }))).isFalse();
      assertThat(flag.isSet()).isFalse();
    }
  }
}
