package dev.multiproc.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The engine's queue under concurrency: put-back past capacity, and the consumers' wake-up cascade. */
@Timeout(60)
class LocalQueueTest {

  @Test
  void putBackGoesToTheFrontEvenWhenFullAndIsTakenFirst() throws Exception {
    LocalQueue<Integer> q = new LocalQueue<>(2);
    q.put(1);
    q.put(2);
    assertThat(q.tryPut(3)).isFalse();

    q.putBack(0); // an item a dead consumer never acknowledged: it may exceed the capacity
    assertThat(q.size()).isEqualTo(3);
    assertThat(q.tryPut(3)).as("still full after the put-back").isFalse();

    assertThat(q.tryGet()).contains(0);
    assertThat(q.tryPut(3)).as("one taken, but the put-back one does not free a slot beyond the capacity").isFalse();
    assertThat(q.tryGet()).contains(1);
    assertThat(q.tryPut(3)).isTrue();
    assertThat(List.of(q.get(), q.get())).containsExactly(2, 3);
    assertThat(q.tryGet()).isEmpty();
  }

  @Test
  void aPutBackWakesABlockedConsumer() throws Exception {
    LocalQueue<String> q = new LocalQueue<>(1);
    CountDownLatch waiting = new CountDownLatch(1);
    Thread consumer = Thread.ofPlatform().start(() -> {
      waiting.countDown();
      try {
        assertThat(q.get(Duration.ofSeconds(30))).contains("back");
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    waiting.await();
    q.putBack("back");
    consumer.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(consumer.isAlive()).isFalse();
  }

  /**
   * Many consumers blocked on an empty queue, then one producer puts everything: the producer wakes
   * only the first consumer, each consumer that leaves items wakes the next, and every item is
   * taken exactly once. A lost wake-up leaves consumers blocked and fails on the timeout.
   */
  @Test
  void theWakeUpCascadeReachesEveryBlockedConsumer() throws Exception {
    int consumers = 64;
    int items = 20_000;
    LocalQueue<Integer> q = new LocalQueue<>(0);
    BitSet seen = new BitSet(items);
    AtomicInteger duplicates = new AtomicInteger();
    CountDownLatch started = new CountDownLatch(consumers);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < consumers; c++) {
      threads.add(Thread.ofPlatform().start(() -> {
        started.countDown();
        try {
          while (true) {
            Optional<Integer> item = q.get(Duration.ofSeconds(30));
            if (item.isEmpty()) {
              throw new AssertionError("a consumer was never woken: lost wake-up");
            }
            if (item.get() < 0) {
              return;
            }
            recordSeen(seen, item.get(), duplicates);
          }
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }));
    }
    started.await();
    for (int i = 0; i < items; i++) {
      q.put(i);
    }
    for (int c = 0; c < consumers; c++) {
      q.put(-1);
    }
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(45));
      assertThat(t.isAlive()).as("consumer %s ended", t).isFalse();
    }
    assertThat(duplicates).hasValue(0);
    assertThat(seen.cardinality()).isEqualTo(items);
    assertThat(q.size()).isZero();
  }

  private static final ReentrantLock SEEN = new ReentrantLock();

  private static void recordSeen(BitSet seen, int item, AtomicInteger duplicates) {
    SEEN.lock();
    try {
      if (seen.get(item)) {
        duplicates.incrementAndGet();
      }
      seen.set(item);
    } finally {
      SEEN.unlock();
    }
  }
}
