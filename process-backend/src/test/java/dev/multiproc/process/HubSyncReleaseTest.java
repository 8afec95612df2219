package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Barrier;
import dev.multiproc.Connection;
import dev.multiproc.JoinableQueue;
import dev.multiproc.Lock;
import dev.multiproc.Pipe;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Semaphore;
import dev.multiproc.SharedMap;
import dev.multiproc.Value;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * As {@link HubReleaseTest} for queues and events: the hub keeps a Lock, RLock, Semaphore, Barrier,
 * JoinableQueue, Pipe, Value or SharedMap while a handle to it may still be used (in the parent, in
 * a live child, inside a queue item), and lets it go after.
 */
@Timeout(120)
class HubSyncReleaseTest extends WithProcessBackend {

  /** Where a task keeps a proxy in the child, from one task to the next. */
  static final class Held {
    static volatile Value value;
    static volatile Lock lock;
    static volatile Connection<String> end;

    private Held() {}
  }

  private static void awaitUntil(BooleanSupplier condition, Runnable nudge) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      nudge.run();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** Waits until the hub holds {@code n} toolbox objects (and queues and events: {@code all}). */
  private void awaitHeld(int n, int all, Runnable nudge) {
    // held() first: it counts off the cleared handles, and so lets go of their objects
    awaitUntil(() -> backend.hub().held() == all && backend.hub().sync.objects() == n, () -> {
      System.gc();
      nudge.run();
    });
    assertThat(backend.hub().held()).as("everything the hub holds").isEqualTo(all);
    assertThat(backend.hub().sync.objects()).as("toolbox objects the hub holds").isEqualTo(n);
  }

  private static void awaitCleared(WeakReference<?> handle) {
    awaitUntil(() -> handle.get() == null, System::gc);
    assertThat(handle.get()).as("the parent's handle, collected").isNull();
  }

  /** Makes and uses one of each toolbox type, dropping every handle. */
  private void oneOfEach(int i) throws Exception {
    Lock lock = backend.newLock();
    lock.acquire();
    lock.release();
    Lock rlock = backend.newRLock();
    rlock.acquire();
    rlock.release();
    Semaphore sem = backend.newBoundedSemaphore(2);
    sem.acquire();
    sem.release();
    Barrier barrier = backend.newBarrier(1);
    barrier.await();
    JoinableQueue<Integer> jq = backend.newJoinableQueue(0);
    jq.put(i);
    Pipe<Integer> pipe = backend.newPipe();
    pipe.left().send(i);
    Value value = backend.newValue(i);
    value.addAndGet(1);
    SharedMap<String, Integer> map = backend.newSharedMap();
    map.put("k", i);
  }

  @Test
  void toolboxObjectsNobodyHoldsAreReleased() throws Exception {
    for (int i = 0; i < 20; i++) {
      oneOfEach(i);
    }
    Value kept = backend.newValue(41);
    awaitHeld(1, 1, () -> {});
    assertThat(kept.addAndGet(1)).isEqualTo(42);
  }

  @Test
  void aHandleReadBackHereIsTheOneInUse() {
    Lock lock = backend.newLock();
    Value value = backend.newValue(3);
    Pipe<String> pipe = backend.newPipe();
    JoinableQueue<String> jq = backend.newJoinableQueue(2);
    assertThat(Codec.decodeValue(Codec.encodeValue(lock, "lock"))).isSameAs(lock);
    assertThat(Codec.decodeValue(Codec.encodeValue(value, "value"))).isSameAs(value);
    assertThat(Codec.decodeValue(Codec.encodeValue(pipe.right(), "end"))).isSameAs(pipe.right());
    assertThat(Codec.decodeValue(Codec.encodeValue(jq, "jq"))).isSameAs(jq);
  }

  private WeakReference<Value> giveAway(Pool pool) throws Exception {
    Value v = backend.newValue(10);
    pool.submit(() -> {
      Held.value = v;
      return null;
    }).get();
    return new WeakReference<>(v);
  }

  @Test
  void aValueALiveChildHoldsIsKeptUntilTheChildDropsIt() throws Exception {
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(1).build())) {
      WeakReference<Value> handle = giveAway(pool);
      awaitCleared(handle);
      assertThat(backend.hub().held()).as("kept for the child").isEqualTo(1);
      assertThat(backend.hub().sync.objects()).isEqualTo(1);
      assertThat(pool.submit(() -> Held.value.addAndGet(5)).get()).isEqualTo(15);
      pool.submit(() -> {
        Held.value = null;
        return null;
      }).get();
      awaitHeld(0, 0, () -> pool.submit(() -> {
        System.gc();
        return null;
      }).join());
    }
  }

  private WeakReference<Lock> giveAwayLock(Pool pool) throws Exception {
    Lock lock = backend.newLock();
    Pipe<String> pipe = backend.newPipe();
    pool.submit(() -> {
      Held.lock = lock;
      Held.end = pipe.right();
      return null;
    }).get();
    pipe.left().send("for the child");
    return new WeakReference<>(lock);
  }

  @Test
  void objectsOnlyChildrenHoldAreReleasedWhenTheyEnd() throws Exception {
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(1).build())) {
      WeakReference<Lock> handle = giveAwayLock(pool);
      awaitCleared(handle);
      assertThat(backend.hub().held()).as("kept for the child: the lock, the pipe and its two inbox queues").isEqualTo(4);
      assertThat(backend.hub().sync.objects()).isEqualTo(2);
      assertThat(pool.submit(() -> Held.lock.tryAcquire() + " " + Held.end.recv()).get()).isEqualTo("true for the child");
    } // the child ends with the pool, its proxies still held
    awaitHeld(0, 0, () -> {});
  }

  private WeakReference<Value> putInside(Queue<Value> outer) throws Exception {
    Value inner = backend.newValue(7);
    outer.put(inner);
    return new WeakReference<>(inner);
  }

  @Test
  void aValuePutInsideAQueueIsKeptForWhoeverTakesIt() throws Exception {
    Queue<Value> outer = backend.newQueue(0);
    WeakReference<Value> inner = putInside(outer);
    awaitCleared(inner);
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(1).build())) {
      assertThat(pool.submit(() -> outer.get().addAndGet(1)).get()).isEqualTo(8);
    }
  }

  @Test
  void aJoinableQueueKeepsItsItemsWhileItIsHeld() throws Exception {
    JoinableQueue<String> jq = backend.newJoinableQueue(0);
    jq.put("one");
    for (int i = 0; i < 5; i++) {
      System.gc();
      backend.newQueue(0); // the hub counts off cleared handles when it makes a queue
    }
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(1).build())) {
      assertThat(pool.submit(() -> {
        String s = jq.get();
        jq.taskDone();
        return s;
      }).get()).isEqualTo("one");
    }
    assertThat(jq.join(Duration.ofSeconds(10))).isTrue();
  }
}
