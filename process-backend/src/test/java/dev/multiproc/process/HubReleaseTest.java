package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Event;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hub keeps a queue or event while a handle to it may still be used, and lets it go after:
 * handles in the parent, proxies in live children, handles put inside queue items.
 */
@Timeout(120)
class HubReleaseTest extends WithProcessBackend {

  /** Where a task keeps a proxy in the child, from one task to the next. */
  static final class Held {
    static volatile Queue<String> queue;

    private Held() {}
  }

  /** Polls until the condition holds, at most 30 s, running {@code nudge} (a collection, say) between polls. */
  private static void awaitUntil(BooleanSupplier condition, Runnable nudge) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      nudge.run();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  private void awaitHeld(int n, Runnable nudge) {
    awaitUntil(() -> backend.hub().held() == n, () -> {
      System.gc();
      nudge.run();
    });
    assertThat(backend.hub().held()).as("queues and events the hub holds").isEqualTo(n);
  }

  private static void awaitCleared(WeakReference<?> handle) {
    awaitUntil(() -> handle.get() == null, System::gc);
    assertThat(handle.get()).as("the parent's handle, collected").isNull();
  }

  @Test
  void queuesAndEventsNobodyHoldsAreReleased() throws Exception {
    for (int i = 0; i < 50; i++) {
      Queue<Integer> q = backend.newQueue(0);
      q.put(i);
      Event e = backend.newEvent();
      e.set();
    }
    Queue<Integer> kept = backend.newQueue(0);
    kept.put(7);
    awaitHeld(1, () -> {});
    assertThat(kept.get()).isEqualTo(7);
  }

  @Test
  void aHandleReadBackHereIsTheOneInUse() {
    Queue<Integer> unbounded = backend.newQueue(0);
    Queue<Integer> bounded = backend.newQueue(3);
    Event event = backend.newEvent();
    assertThat(Codec.decodeValue(Codec.encodeValue(unbounded, "queue"))).isSameAs(unbounded);
    assertThat(Codec.decodeValue(Codec.encodeValue(bounded, "queue"))).isSameAs(bounded);
    assertThat(Codec.decodeValue(Codec.encodeValue(event, "event"))).isSameAs(event);
    assertThat(unbounded.toString()).doesNotContain("maxSize");
    assertThat(bounded.toString()).contains("maxSize=3");
  }

  /** Makes a queue with one item, gives it to the pool's child, and drops the parent's handle. */
  private WeakReference<Queue<String>> giveAway(Pool pool) throws Exception {
    Queue<String> q = backend.newQueue(0);
    q.put("kept");
    pool.submit(() -> {
      Held.queue = q;
      return null;
    }).get();
    return new WeakReference<>(q);
  }

  @Test
  void aQueueALiveChildHoldsIsKeptUntilTheChildDropsIt() throws Exception {
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(1).build())) {
      WeakReference<Queue<String>> handle = giveAway(pool);
      awaitCleared(handle);
      assertThat(backend.hub().held()).as("kept for the child").isEqualTo(1);
      assertThat(pool.submit(() -> Held.queue.get(Duration.ofSeconds(10)).orElse("lost")).get()).isEqualTo("kept");
      pool.submit(() -> {
        Held.queue = null;
        return null;
      }).get();
      awaitHeld(0, () -> pool.submit(() -> {
        System.gc();
        return null;
      }).join());
    }
  }

  @Test
  void aQueueOnlyChildrenHoldIsReleasedWhenTheyEnd() throws Exception {
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(1).build())) {
      WeakReference<Queue<String>> handle = giveAway(pool);
      awaitCleared(handle);
      assertThat(backend.hub().held()).as("kept for the child").isEqualTo(1);
    } // the child ends with the pool, its proxy still held
    awaitHeld(0, () -> {});
  }

  /** Puts a new queue with one item inside {@code outer} and drops the parent's handle. */
  private WeakReference<Queue<String>> putInside(Queue<Queue<String>> outer) throws Exception {
    Queue<String> inner = backend.newQueue(0);
    inner.put("inside");
    outer.put(inner);
    return new WeakReference<>(inner);
  }

  @Test
  void aQueuePutInsideAnotherQueueIsKeptForWhoeverTakesIt() throws Exception {
    Queue<Queue<String>> outer = backend.newQueue(0);
    WeakReference<Queue<String>> inner = putInside(outer);
    awaitCleared(inner);
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(1).build())) {
      assertThat(pool.submit(() -> outer.get().get(Duration.ofSeconds(10)).orElse("lost")).get()).isEqualTo("inside");
    }
  }
}
