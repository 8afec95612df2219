package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Event;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.tck.Await;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Items lent to a child that drains a queue ({@link Hub}, "Lending") are never lost, never taken
 * out of order, and never kept from another consumer: the parent or a second child that comes takes
 * them, oldest first; a killed child's go back; a bounded queue's slots free as the child takes
 * them. In each test a child takes one item of 100 and is lent half of the rest.
 */
@Timeout(300)
class QueueLendingIT extends WithProcessBackend {

  private static Queue<Integer> filled(Queue<Integer> q, int n) throws InterruptedException {
    for (int i = 0; i < n; i++) {
      q.put(i);
    }
    return q;
  }

  /** A worker that takes {@code n} items, reports them on {@code took}, then waits for {@code end} (taking nothing more). */
  private Worker taker(Queue<Integer> q, int n, Queue<List<Integer>> took, Event end) {
    return backend.newWorker(() -> {
      List<Integer> got = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        got.add(q.get());
      }
      took.put(got);
      end.await();
    }, WorkerOptions.defaults()).start();
  }

  private static int lent(Queue<Integer> q) {
    return ((ProcessQueue<Integer>) q).items.lent();
  }

  @Test
  void aChildDrainingAQueueTakesEveryItemInOrder() throws Exception {
    Queue<Integer> q = filled(backend.newQueue(0), 20_000);
    q.put(-1);
    Queue<String> result = backend.newQueue(0);
    Worker w = backend.newWorker(() -> {
      int expected = 0;
      for (int x = q.get(); x >= 0; x = q.get()) {
        if (x != expected++) {
          result.put("got " + x + ", expected " + (expected - 1));
          return;
        }
      }
      result.put("ok " + expected);
    }, WorkerOptions.defaults()).start();
    assertThat(result.get(LONG)).contains("ok 20000");
    assertThat(w.join(LONG)).isTrue();
    assertThat(q.size()).isZero();
  }

  @Test
  void childrenAndTheParentDrainingOneQueueEachTakeInOrderAndNothingTwice() throws Exception {
    int n = 30_000;
    Queue<Integer> q = filled(backend.newQueue(0), n);
    Queue<List<Integer>> took = backend.newQueue(0);
    List<Worker> children = new ArrayList<>();
    for (int c = 0; c < 2; c++) {
      children.add(backend.newWorker(() -> {
        List<Integer> got = new ArrayList<>();
        for (int x = q.get(); x >= 0; x = q.get()) {
          got.add(x);
        }
        took.put(got);
      }, WorkerOptions.defaults()).start());
    }
    List<Integer> mine = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      mine.add(q.get()); // a third consumer, here, now and then
    }
    q.put(-1);
    q.put(-1);
    List<List<Integer>> all = new ArrayList<>(List.of(mine, took.get(LONG).orElseThrow(), took.get(LONG).orElseThrow()));
    boolean[] seen = new boolean[n];
    int count = 0;
    for (List<Integer> got : all) {
      for (int i = 0; i < got.size(); i++) {
        assertThat(i == 0 || got.get(i - 1) < got.get(i)).as("in order: %s after %s", got.get(i), i == 0 ? null : got.get(i - 1)).isTrue();
        assertThat(seen[got.get(i)]).as("%s taken twice", got.get(i)).isFalse();
        seen[got.get(i)] = true;
        count++;
      }
    }
    assertThat(count).isEqualTo(n);
    for (Worker w : children) {
      assertThat(w.join(LONG)).isTrue();
    }
  }

  @Test
  void theParentTakesWhatWasLentToAnIdleChildOldestFirst() throws Exception {
    Queue<Integer> q = filled(backend.newQueue(0), 100);
    Queue<List<Integer>> took = backend.newQueue(0);
    Event end = backend.newEvent();
    Worker w = taker(q, 1, took, end);
    assertThat(took.get(LONG)).contains(List.of(0));
    assertThat(lent(q)).as("the child was lent items").isPositive();
    assertThat(q.size()).as("lent items count until taken").isEqualTo(99);
    List<Integer> rest = new ArrayList<>();
    for (int i = 1; i < 100; i++) {
      rest.add(q.get());
    }
    assertThat(rest).as("recalled, the lent items come first").isEqualTo(range(1, 100));
    assertThat(q.tryGet()).isEmpty();
    end.set();
    assertThat(w.join(LONG)).isTrue();
  }

  @Test
  void aSecondChildTakesWhatWasLentToTheFirstOldestFirst() throws Exception {
    Queue<Integer> q = filled(backend.newQueue(0), 100);
    Queue<List<Integer>> took = backend.newQueue(0);
    Event end = backend.newEvent();
    Worker first = taker(q, 10, took, end);
    assertThat(took.get(LONG)).contains(range(0, 10));
    Worker second = taker(q, 90, took, end);
    assertThat(took.get(LONG)).as("the first child's lent items come back for the second").contains(range(10, 100));
    end.set();
    assertThat(first.join(LONG)).isTrue();
    assertThat(second.join(LONG)).isTrue();
    assertThat(q.size()).isZero();
  }

  @Test
  void aChildThatWorksLongOnEachItemIsLentNoMore() throws Exception {
    Queue<Integer> q = filled(backend.newQueue(0), 1000);
    Queue<List<Integer>> took = backend.newQueue(0);
    Event end = backend.newEvent();
    Worker w = backend.newWorker(() -> {
      List<Integer> got = new ArrayList<>();
      for (int i = 0; i < 80; i++) { // the first get is answered with 64 lent items, the 66th asks again
        got.add(q.get());
        Thread.sleep(1); // work on the item: far longer than Hub.LEND_BELOW_NANOS
      }
      took.put(got);
      end.await();
    }, WorkerOptions.defaults()).start();
    assertThat(took.get(LONG)).contains(range(0, 80));
    assertThat(lent(q)).as("the first answer lent 64; once they were taken, slowly, nothing more").isZero();
    assertThat(q.size()).isEqualTo(920);
    end.set();
    assertThat(w.join(LONG)).isTrue();
  }

  @Test
  void theLentItemsOfAKilledChildGoBackInOrder() throws Exception {
    Queue<Integer> q = filled(backend.newQueue(0), 100);
    Queue<List<Integer>> took = backend.newQueue(0);
    Event end = backend.newEvent();
    Worker w = taker(q, 3, took, end);
    assertThat(took.get(LONG)).contains(List.of(0, 1, 2));
    assertThat(lent(q)).isPositive();
    w.kill();
    assertThat(w.join(LONG)).isTrue();
    assertThat(lent(q)).isZero();
    List<Integer> rest = new ArrayList<>();
    for (int i = 3; i < 100; i++) {
      rest.add(q.tryGet().orElseThrow());
    }
    assertThat(rest).isEqualTo(range(3, 100));
    assertThat(q.tryGet()).isEmpty();
  }

  @Test
  void aBoundedQueueFreesTheSlotsOfWhatAQuietChildTook() throws Exception {
    Queue<Integer> q = filled(backend.newQueue(100), 100);
    Queue<List<Integer>> took = backend.newQueue(0);
    Event end = backend.newEvent();
    Worker w = backend.newWorker(() -> {
      List<Integer> got = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        got.add(q.get()); // the first asks, and is lent 49: the rest are taken here, and told lazily
      }
      took.put(got);
      end.await();
    }, WorkerOptions.defaults()).start();
    assertThat(took.get(LONG)).contains(range(0, 50));
    for (int i = 100; i < 150; i++) {
      assertThat(q.put(i, LONG)).as("put %d: the slots of what the child took are free", i).isTrue();
    }
    assertThat(q.tryPut(999)).as("full again").isFalse();
    assertThat(Await.until(() -> q.size() == 100, LONG)).isTrue();
    end.set();
    assertThat(w.join(LONG)).isTrue();
    List<Integer> rest = new ArrayList<>();
    for (int i = 50; i < 150; i++) {
      rest.add(q.get());
    }
    assertThat(rest).isEqualTo(range(50, 150));
  }

  @Test
  void theSizeCountsWhatAChildThatSendsNothingMoreTook() throws Exception {
    Queue<Integer> q = filled(backend.newQueue(0), 100);
    Queue<String> started = backend.newQueue(0);
    Worker w = backend.newWorker(() -> {
      started.put("taking");
      for (int i = 0; i < 50; i++) {
        q.get();
      }
      Thread.sleep(Long.MAX_VALUE); // says nothing more until killed
    }, WorkerOptions.defaults()).start();
    assertThat(started.get(LONG)).contains("taking");
    assertThat(Await.until(() -> q.size() == 50, LONG)).as("size %d", q.size()).isTrue();
    w.kill();
    assertThat(w.join(LONG)).isTrue();
    assertThat(q.size()).isEqualTo(50);
    assertThat(q.tryGet()).contains(50);
  }

  @Test
  void aChildDrainingAJoinableQueueLetsTheJoinEnd() throws Exception {
    dev.multiproc.JoinableQueue<Integer> q = backend.newJoinableQueue(0);
    for (int i = 0; i < 5_000; i++) {
      q.put(i);
    }
    Worker w = backend.newWorker(() -> {
      for (int i = 0; i < 5_000; i++) {
        q.get();
        q.taskDone(); // one-way: it took the item
      }
      Thread.sleep(Long.MAX_VALUE); // says nothing more until killed
    }, WorkerOptions.defaults()).start();
    assertThat(q.join(LONG)).as("every taskDone read").isTrue();
    w.kill();
    assertThat(w.join(LONG)).isTrue();
  }

  @Test
  void aJoinAsksForTheTaskDonesAQuietChildHasNotSentYet() throws Exception {
    dev.multiproc.JoinableQueue<Integer> q = backend.newJoinableQueue(0);
    for (int i = 0; i < 100; i++) {
      q.put(i);
    }
    dev.multiproc.Value done = backend.newValue(0);
    Worker w = backend.newWorker(() -> {
      q.get();
      q.get(); // lent items wait beside it
      q.taskDone(); // for the first: one-way, and it still owes one, so the parent is not woken
      done.set(1); // shared memory: no message that would carry the taskDone along
      Thread.sleep(Long.MAX_VALUE);
    }, WorkerOptions.defaults()).start();
    assertThat(Await.until(() -> done.get() == 1, LONG)).isTrue();
    for (int i = 0; i < 99; i++) {
      q.taskDone(); // the rest, here (Python allows a taskDone by another process than the taker)
    }
    assertThat(q.join(LONG)).as("the join asked the child for what it had not sent").isTrue();
    assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class);
    w.kill();
    assertThat(w.join(LONG)).isTrue();
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> r = new ArrayList<>();
    for (int i = from; i < to; i++) {
      r.add(i);
    }
    return r;
  }
}
