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

  // ------------------------------------------------------------------ lent items

  private static LocalQueue<Integer> filled(int maxSize, int n) throws InterruptedException {
    LocalQueue<Integer> q = new LocalQueue<>(maxSize);
    for (int i = 0; i < n; i++) {
      q.put(i);
    }
    return q;
  }

  @Test
  void itemsAreLentToOneConsumerAtMostHalfOfThemAndStillCountInTheSize() throws Exception {
    LocalQueue<Integer> q = filled(0, 10);
    Object child = new Object();
    assertThat(q.takeNow(child)).isZero();
    List<Integer> lent = new ArrayList<>();
    assertThat(q.lend(child, 64, x -> 1, 1 << 20, lent::add)).isEqualTo(4);
    assertThat(lent).containsExactly(1, 2, 3, 4);
    assertThat(q.size()).as("lent items are not taken until received").isEqualTo(9);
    assertThat(q.lend(new Object(), 64, x -> 1, 1 << 20, lent::add)).as("never to a second consumer").isZero();
    assertThat(q.lend(child, 2, x -> 1, 1 << 20, lent::add)).as("more to the same one").isEqualTo(2);
    assertThat(q.lend(child, 64, x -> 100, 150, lent::add)).as("by weight, at least one").isEqualTo(1);
    q.received(3);
    assertThat(q.size()).isEqualTo(6);
    assertThat(q.lent()).isEqualTo(4);
  }

  @Test
  void aSecondConsumerWaitsForLentItemsAndTakesThemFirst() throws Exception {
    LocalQueue<Integer> q = filled(0, 10);
    Object child = new Object();
    List<Integer> lent = new ArrayList<>();
    assertThat(q.takeNow(child)).isZero();
    q.lend(child, 64, x -> 1, 1 << 20, lent::add); // 1, 2, 3, 4
    AtomicInteger recalls = new AtomicInteger();
    List<Object> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    q.lender((lessee, back) -> {
      asked.add(lessee);
      if (back && recalls.incrementAndGet() == 1) {
        // the child took 1 and 2, and gives back 3 and 4, later
        Thread.ofPlatform().start(() -> {
          q.received(2);
          q.giveBack(List.of(3, 4));
        });
      }
    });
    assertThat(q.get()).as("the lent items are older than those here: they come first").isEqualTo(3);
    assertThat(recalls).hasValue(1);
    assertThat(asked.get(0)).isSameAs(child);
    assertThat(q.get()).isEqualTo(4);
    assertThat(q.get()).isEqualTo(5);
    List<Integer> more = new ArrayList<>();
    Object other = new Object();
    assertThat(q.lend(other, 1, x -> 1, 1 << 20, more::add)).as("the next consumer may borrow in turn").isEqualTo(1);
    assertThat(more).containsExactly(6);
    assertThat(q.lend(child, 64, x -> 1, 1 << 20, more::add)).as("but not two at once").isZero();
    assertThat(q.size()).isEqualTo(4);
  }

  @Test
  void aTryGetWaitsAMomentForLentItemsAndAHeldBackTakerIsServedWhenTheyCome() throws Exception {
    LocalQueue<Integer> q = filled(0, 4);
    Object child = new Object();
    List<Integer> lent = new ArrayList<>();
    assertThat(q.takeNow(child)).isZero();
    q.lend(child, 64, x -> 1, 1 << 20, lent::add); // 1
    AtomicInteger recalls = new AtomicInteger();
    q.lender((lessee, back) -> {
      if (back && recalls.incrementAndGet() == 1) { // once, as the hub asks once at a time
        Thread.ofPlatform().start(() -> q.giveBack(List.of(1)));
      }
    });
    java.util.concurrent.BlockingQueue<Integer> got = new java.util.concurrent.LinkedBlockingQueue<>();
    Object other = new Object();
    assertThat(q.takeOrWait(other, got::add)).as("held back while 1 is out").isNull();
    assertThat(q.tryGet()).as("2, once 1 came back and went to the waiting taker").contains(2);
    assertThat(got.poll(30, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(q.tryGet()).contains(3);
    assertThat(q.tryGet()).isEmpty();
  }

  @Test
  void aTryGetGivesUpWhenLentItemsDoNotComeBack() throws Exception {
    LocalQueue<Integer> q = filled(0, 4);
    Object child = new Object();
    assertThat(q.takeNow(child)).isZero();
    q.lend(child, 64, x -> 1, 1 << 20, x -> { });
    AtomicInteger asked = new AtomicInteger();
    q.lender((lessee, back) -> asked.incrementAndGet());
    assertThat(q.tryGet()).as("the lent item is older: nothing is taken past it").isEmpty();
    assertThat(asked).hasPositiveValue();
    assertThat(q.size()).isEqualTo(3);
  }

  @Test
  void aPutOnAQueueFullOfLentItemsAsksWhatWasTakenAndGoesOnWhenTold() throws Exception {
    LocalQueue<Integer> q = filled(4, 4);
    Object child = new Object();
    assertThat(q.takeNow(child)).isZero();
    q.lend(child, 64, x -> 1, 1 << 20, x -> { }); // 1
    q.put(4); // the slot of 0 is free
    AtomicInteger reports = new AtomicInteger();
    q.lender((lessee, back) -> {
      if (!back && reports.incrementAndGet() == 1) {
        Thread.ofPlatform().start(() -> q.received(1)); // the child took 1: its slot is free
      }
    });
    q.put(5);
    assertThat(reports).hasValue(1);
    assertThat(q.size()).isEqualTo(4);
    assertThat(q.lent()).isZero();
    assertThat(List.of(q.get(), q.get(), q.get(), q.get())).containsExactly(2, 3, 4, 5);
  }

  @Test
  void aLesseeThatIsGoneLetsTheNextConsumerBorrow() throws Exception {
    LocalQueue<Integer> q = filled(0, 10);
    Object first = new Object();
    Object second = new Object();
    List<Integer> lent = new ArrayList<>();
    assertThat(q.takeNow(first)).isZero();
    q.lend(first, 64, x -> 1, 1 << 20, lent::add);
    q.giveBack(List.copyOf(lent)); // it died
    assertThat(q.takeNow(second)).isEqualTo(1);
    assertThat(q.lend(second, 64, x -> 1, 1 << 20, x -> { })).isEqualTo(4);
  }
}
