package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Event;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Value;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.time.Duration;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A child reads an event's flag from its copy in shared memory ({@link ChildEvent#isSet}): without
 * asking the parent, seeing its own set() and clear() at once, and never before what the setter
 * sent ahead of its set() is there; nor before what the parent sent the child ahead of a change it
 * sees in shared memory, an event's or a Value's ({@link ChildChannel#awaitHandled}).
 */
@Timeout(120)
class EventMirrorIT extends WithProcessBackend {

  @Test
  void aChildPollingIsSetAsksTheParentNothing() throws Exception {
    Event stop = backend.newEvent();
    Queue<Long> polls = backend.newQueue(0);
    Worker w = backend.newWorker(() -> {
      long n = 0;
      while (!stop.isSet()) {
        if (++n == 10_000) {
          polls.put(n);
        }
      }
      stop.await(); // set: returns at once
      polls.put(n);
    }, WorkerOptions.defaults()).start();
    assertThat(polls.get(LONG)).contains(10_000L);
    long asked = backend.hub().eventRequests.sum();
    stop.set();
    assertThat(polls.get(LONG).orElseThrow()).isGreaterThanOrEqualTo(10_000L);
    assertThat(w.join(LONG)).isTrue();
    assertThat(w.exitCode()).as("%s", w.failure()).hasValue(0);
    assertThat(asked).as("event requests after 10,000 polls").isZero();
    assertThat(backend.hub().eventRequests.sum()).as("event requests at the end").isZero();
  }

  @Test
  void aChildSeesItsOwnSetAndClearAtOnce() throws Exception {
    Event e = backend.newEvent();
    Queue<String> outcome = backend.newQueue(0);
    Worker w = backend.newWorker(() -> {
      for (int i = 0; i < 20_000; i++) {
        e.set();
        if (!e.isSet()) {
          outcome.put("not set after set() in round " + i);
          return;
        }
        e.clear();
        if (e.isSet()) {
          outcome.put("set after clear() in round " + i);
          return;
        }
      }
      e.set();
      outcome.put(e.await(Duration.ZERO) ? "ok" : "await(0) after set() is false");
    }, WorkerOptions.defaults()).start();
    assertThat(outcome.get(LONG)).contains("ok");
    assertThat(w.join(LONG)).isTrue();
    assertThat(e.isSet()).as("the child's last write, applied").isTrue();
  }

  /**
   * The parent closes a pipe end (telling the child, which sent on the pipe before, that its sends
   * would go nowhere), then sets the event: a child that sees the event set has seen the close too.
   */
  @Test
  void whatTheParentSentAChildBeforeASetIsSeenBeforeTheSet() throws Exception {
    CloseBeforeSignal.seenInOrder(backend, b -> {
      Event closed = b.newEvent();
      return new CloseBeforeSignal.Signal(() -> {
        while (!closed.isSet()) {
          Thread.onSpinWait();
        }
      }, closed::set);
    }, LONG);
  }

  /** The same for a Value in shared memory, which a child reads without asking at all. */
  @Test
  void whatTheParentSentAChildBeforeAValueChangedIsSeenBeforeTheChange() throws Exception {
    CloseBeforeSignal.seenInOrder(backend, b -> {
      Value closed = b.newValue(0);
      return new CloseBeforeSignal.Signal(() -> {
        while (closed.get() == 0) {
          Thread.onSpinWait();
        }
      }, () -> closed.set(1));
    }, LONG);
  }

  @Test
  void whatASetterSentBeforeItsSetIsThereForWhoeverSeesTheEventSet() throws Exception {
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(2).build())) {
      for (int round = 0; round < 50; round++) {
        Event ready = backend.newEvent();
        Queue<Integer> q = backend.newQueue(0);
        int r = round;
        Future<Boolean> reader = pool.submit(() -> {
          while (!ready.isSet()) {
            Thread.onSpinWait();
          }
          return q.tryGet().isPresent();
        });
        pool.submit(() -> {
          q.put(r);
          ready.set();
          return null;
        }).get();
        assertThat(reader.get()).as("round %d: the item put before set() was there", round).isTrue();
      }
    }
  }
}
