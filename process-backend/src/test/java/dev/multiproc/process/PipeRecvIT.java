package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Connection;
import dev.multiproc.Event;
import dev.multiproc.Pipe;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.io.EOFException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A child receives on a pipe end through the end's inbox queue ({@link Hub#pipeInbox}), lent items
 * ahead as a queue's consumer is: in order, then the end of file; the parent receiving on the same
 * end gets the oldest items (the child's are recalled); an end closed in the child refuses.
 */
@Timeout(120)
class PipeRecvIT extends WithProcessBackend {

  @Test
  void aChildReceivesEverythingInOrderThenTheEndOfFile() throws Exception {
    Pipe<Integer> pipe = backend.newPipe();
    Connection<Integer> theirs = pipe.right();
    Queue<String> outcome = backend.newQueue(0);
    int n = 20_000;
    Worker w = backend.newWorker(() -> {
      for (int i = 0; i < n; i++) {
        int got = theirs.recv();
        if (got != i) {
          outcome.put("item " + i + " was " + got);
          return;
        }
      }
      for (int again = 0; again < 2; again++) {
        try {
          outcome.put("after the end: " + theirs.recv());
          return;
        } catch (UncheckedIOException e) {
          if (!(e.getCause() instanceof EOFException)) {
            throw e;
          }
        }
      }
      outcome.put("ok");
    }, WorkerOptions.defaults()).start();
    Connection<Integer> mine = pipe.left();
    for (int i = 0; i < n; i++) {
      mine.send(i);
    }
    mine.close();
    assertThat(outcome.get(LONG)).contains("ok");
    assertThat(w.join(LONG)).isTrue();
    assertThat(w.exitCode()).as("%s", w.failure()).hasValue(0);
  }

  @Test
  void theParentReceivingOnTheChildsEndGetsTheOldestItems() throws Exception {
    Pipe<Integer> pipe = backend.newPipe();
    Connection<Integer> shared = pipe.right();
    Queue<Integer> first = backend.newQueue(0);
    Event done = backend.newEvent();
    int n = 1_000;
    Connection<Integer> mine = pipe.left();
    for (int i = 0; i < n; i++) {
      mine.send(i);
    }
    Worker w = backend.newWorker(() -> {
      first.put(shared.recv()); // and may be lent more
      done.await();
    }, WorkerOptions.defaults()).start();
    assertThat(first.get(LONG)).contains(0);
    for (int i = 1; i < n; i++) {
      assertThat(shared.recv(LONG)).as("item %d, here", i).contains(i);
    }
    done.set();
    assertThat(w.join(LONG)).isTrue();
    assertThat(w.exitCode()).as("%s", w.failure()).hasValue(0);
  }

  @Test
  void twoChildrenReceivingOnOneEndEachGetItemsInOrderAndNothingTwice() throws Exception {
    Pipe<Integer> pipe = backend.newPipe();
    Connection<Integer> shared = pipe.right();
    Queue<int[]> took = backend.newQueue(0);
    List<Worker> workers = new ArrayList<>();
    for (int c = 0; c < 2; c++) {
      workers.add(backend.newWorker(() -> {
        List<Integer> mine = new ArrayList<>();
        try {
          while (true) {
            mine.add(shared.recv());
          }
        } catch (UncheckedIOException e) {
          // the end of file: everything sent was received, by one of us
        }
        took.put(mine.stream().mapToInt(Integer::intValue).toArray());
      }, WorkerOptions.defaults()).start());
    }
    int n = 20_000;
    Connection<Integer> mine = pipe.left();
    for (int i = 0; i < n; i++) {
      mine.send(i);
    }
    mine.close();
    Set<Integer> all = new HashSet<>();
    for (int c = 0; c < 2; c++) {
      int[] got = took.get(LONG).orElseThrow();
      for (int i = 0; i < got.length; i++) {
        assertThat(all.add(got[i])).as("item %d received once", got[i]).isTrue();
        if (i > 0) {
          assertThat(got[i]).as("each receiver's items in order").isGreaterThan(got[i - 1]);
        }
      }
    }
    assertThat(all).hasSize(n);
    for (Worker w : workers) {
      assertThat(w.join(LONG)).isTrue();
      assertThat(w.exitCode()).as("%s", w.failure()).hasValue(0);
    }
  }

  @Test
  void aReceiveOnAnEndClosedInTheChildThrows() throws Exception {
    Pipe<Integer> pipe = backend.newPipe();
    Connection<Integer> theirs = pipe.right();
    Queue<String> outcome = backend.newQueue(0);
    pipe.left().send(1);
    pipe.left().send(2);
    Worker w = backend.newWorker(() -> {
      int got = theirs.recv();
      theirs.close();
      try {
        outcome.put("received " + got + ", then " + theirs.recv());
      } catch (IllegalStateException e) {
        outcome.put("received " + got + ", then refused");
      }
    }, WorkerOptions.defaults()).start();
    assertThat(outcome.get(LONG)).contains("received 1, then refused");
    assertThat(w.join(LONG)).isTrue();
  }
}
