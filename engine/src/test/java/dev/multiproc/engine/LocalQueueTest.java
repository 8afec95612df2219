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

  @Test
  void reservedSlotsCountAgainstTheCapacityButNotTheSize() throws Exception {
    LocalQueue<Integer> q = new LocalQueue<>(4);
    assertThat(q.reserve(3)).isEqualTo(3);
    assertThat(q.reserved()).isEqualTo(3);
    assertThat(q.size()).isZero();
    assertThat(q.offer(1)).isTrue();
    assertThat(q.offer(2)).as("three slots reserved, one item: full").isFalse();
    assertThat(q.reserve(5)).as("nothing left to reserve").isZero();
    q.putReserved(10);
    q.putReserved(11);
    assertThat(q.size()).isEqualTo(3);
    assertThat(q.reserved()).isEqualTo(1);
    assertThat(List.of(q.get(), q.get(), q.get())).containsExactly(1, 10, 11);
    assertThat(q.offer(2)).isTrue();
    assertThat(q.offer(3)).isTrue();
    assertThat(q.offer(4)).isTrue();
    assertThat(q.offer(5)).as("one slot still reserved").isFalse();
    q.unreserve(1);
    assertThat(q.offer(5)).isTrue();
    assertThat(q.reserve(1)).isZero();
  }

  @Test
  void aPutFindingOnlyReservedSlotsAsksForThemAndGoesOnWhenTheyComeBack() throws Exception {
    LocalQueue<String> q = new LocalQueue<>(4);
    AtomicInteger asked = new AtomicInteger();
    q.reclaimer(() -> {
      if (asked.incrementAndGet() == 1) {
        Thread.ofPlatform().start(() -> q.unreserve(2)); // the holder gives two back, later
      }
    });
    assertThat(q.reserve(4)).isEqualTo(4);
    Thread producer = Thread.ofPlatform().start(() -> {
      try {
        q.put("a");
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    producer.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(producer.isAlive()).isFalse();
    assertThat(asked).hasPositiveValue();
    assertThat(q.tryPut("b")).as("tryPut waits for slots given back: here, the second one").isTrue();
    assertThat(q.size()).isEqualTo(2);
    assertThat(q.reserved()).isEqualTo(2);
    assertThat(q.reserve(1)).as("no slot is left").isZero();
  }

  @Test
  void aTryPutGivesUpWhenReservedSlotsDoNotComeBack() {
    LocalQueue<String> q = new LocalQueue<>(4);
    AtomicInteger asked = new AtomicInteger();
    q.reclaimer(asked::incrementAndGet);
    assertThat(q.reserve(4)).isEqualTo(4);
    assertThat(q.tryPut("a")).isFalse();
    assertThat(asked).hasValue(1);
  }

  @Test
  void noSlotIsReservedWhileAPutWaits() throws Exception {
    LocalQueue<String> q = new LocalQueue<>(4);
    for (int i = 0; i < 4; i++) {
      q.put("x" + i);
    }
    CountDownLatch started = new CountDownLatch(1);
    Thread producer = Thread.ofPlatform().start(() -> {
      started.countDown();
      try {
        q.put("waiting");
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    started.await();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (producer.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(q.reserve(1)).as("a put waits: nothing is reserved").isZero();
    q.get();
    producer.join(TimeUnit.SECONDS.toMillis(30));
    q.get();
    assertThat(q.reserve(4)).as("no put waits now: the free slot can be reserved").isEqualTo(1);
  }

  @Test
  void registeredTakersAreHandedItemsInOrderByThePuts() throws Exception {
    LocalQueue<Integer> q = new LocalQueue<>(0);
    List<String> got = new ArrayList<>();
    LocalQueue.Taker<Integer> first = item -> got.add("first " + item);
    LocalQueue.Taker<Integer> second = item -> got.add("second " + item);
    LocalQueue.Taker<Integer> third = item -> got.add("third " + item);
    assertThat(q.takeOrWait(first)).isNull();
    assertThat(q.takeOrWait(second)).isNull();
    assertThat(q.takeOrWait(third)).isNull();
    assertThat(q.cancel(second)).isTrue();
    q.put(1);
    q.put(2);
    q.put(3);
    assertThat(got).containsExactly("first 1", "third 2");
    assertThat(q.cancel(first)).as("served already").isFalse();
    assertThat(q.size()).isEqualTo(1);
    assertThat(q.takeOrWait(first)).isEqualTo(3);
    q.putBack(0);
    assertThat(q.takeOrWait(first)).isEqualTo(0);
  }

  @Test
  void aBoundedQueueFreesTheSlotOfAnItemHandedToATaker() throws Exception {
    LocalQueue<Integer> q = new LocalQueue<>(1);
    List<Integer> got = new ArrayList<>();
    assertThat(q.takeOrWait(got::add)).isNull();
    assertThat(q.offer(1)).isTrue();
    assertThat(got).containsExactly(1);
    assertThat(q.offer(2)).as("the slot is free again").isTrue();
    assertThat(q.offer(3)).isFalse();
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
