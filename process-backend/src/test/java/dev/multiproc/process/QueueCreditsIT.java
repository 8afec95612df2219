package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Event;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Credits of bounded queues (slots reserved for a producing child) never make a queue look full to
 * anyone else for good: a put elsewhere has them given back, and a dead child's come back.
 * {@code Queue(16)}: a child's first put asks and gets 4 credits, its sixth asks again, so after 7
 * puts it holds 3 credits it does not use.
 */
@Timeout(300)
class QueueCreditsIT extends WithProcessBackend {

  /** A worker that puts 0..6 on {@code q}, sets {@code put}, then waits for {@code end}. */
  private Worker idleHolder(Queue<Integer> q, Event put, Event end) {
    return backend.newWorker(() -> {
      for (int i = 0; i < 7; i++) {
        q.put(i);
      }
      put.set();
      end.await();
    }, WorkerOptions.defaults()).start();
  }

  @Test
  void theParentFillsAQueueWhoseFreeSlotsAChildHoldsAsCredits() throws Exception {
    Queue<Integer> q = backend.newQueue(16);
    Event put = backend.newEvent();
    Event end = backend.newEvent();
    Worker w = idleHolder(q, put, end);
    assertThat(put.await(LONG)).isTrue();
    for (int i = 7; i < 16; i++) {
      assertThat(q.put(i, LONG)).as("put %d: the child's unused credits are asked back", i).isTrue();
    }
    assertThat(q.size()).isEqualTo(16);
    assertThat(q.tryPut(99)).as("full, of items this time").isFalse();
    end.set();
    assertThat(w.join(LONG)).isTrue();
    assertThat(drain(q, 16)).isEqualTo(range(16));
  }

  @Test
  void aTryPutTakesASlotAnIdleChildHeld() throws Exception {
    Queue<Integer> q = backend.newQueue(16);
    Event put = backend.newEvent();
    Event end = backend.newEvent();
    Worker w = idleHolder(q, put, end);
    assertThat(put.await(LONG)).isTrue();
    for (int i = 7; i < 16; i++) {
      assertThat(q.tryPut(i)).as("tryPut %d", i).isTrue();
    }
    end.set();
    assertThat(w.join(LONG)).isTrue();
    assertThat(drain(q, 16)).isEqualTo(range(16));
  }

  @Test
  void aDeadChildsCreditsComeBack() throws Exception {
    Queue<Integer> q = backend.newQueue(16);
    Event put = backend.newEvent();
    Event end = backend.newEvent();
    Worker w = idleHolder(q, put, end);
    assertThat(put.await(LONG)).isTrue();
    w.kill();
    assertThat(w.join(LONG)).isTrue();
    for (int i = 7; i < 16; i++) {
      assertThat(q.tryPut(i)).as("tryPut %d after the holder died", i).isTrue();
    }
    assertThat(q.tryPut(99)).isFalse();
    assertThat(drain(q, 16)).as("the dead child's puts stay, in order").isEqualTo(range(16));
  }

  @Test
  void aProducerChildFillsWhatAnIdleChildHeld() throws Exception {
    Queue<Integer> q = backend.newQueue(16);
    Event put = backend.newEvent();
    Event end = backend.newEvent();
    Event done = backend.newEvent();
    Worker holder = idleHolder(q, put, end);
    assertThat(put.await(LONG)).isTrue();
    Worker producer = backend.newWorker(() -> {
      for (int i = 7; i < 16; i++) {
        q.put(i);
      }
      done.set();
    }, WorkerOptions.defaults()).start();
    assertThat(done.await(LONG)).as("the second producer was never blocked for good").isTrue();
    assertThat(producer.join(LONG)).isTrue();
    assertThat(q.size()).isEqualTo(16);
    end.set();
    assertThat(holder.join(LONG)).isTrue();
    assertThat(drain(q, 16)).isEqualTo(range(16));
  }

  @Test
  void aChildProducerOutrunningTheConsumerKeepsEveryItemInOrder() throws Exception {
    Queue<Integer> q = backend.newQueue(8);
    int n = 20_000;
    Worker w = backend.newWorker(() -> {
      for (int i = 0; i < n; i++) {
        q.put(i);
      }
    }, WorkerOptions.defaults()).start();
    List<Integer> got = drain(q, n);
    assertThat(w.join(LONG)).isTrue();
    assertThat(w.exitCode()).hasValue(0);
    assertThat(got).isEqualTo(range(n));
    assertThat(q.tryGet()).isEmpty();
  }

  /** Items larger than a frame travel in pieces, gathered in the parent into arrays of their own. */
  @Test
  void largeItemsFromAChildArriveWholeOnBoundedAndUnboundedQueues() throws Exception {
    for (int maxSize : new int[] {0, 4}) {
      Queue<byte[]> q = backend.newQueue(maxSize);
      int[] sizes = {Frames.MAX_FRAGMENT - 20, Frames.MAX_FRAGMENT + 1, 100_000, 1 << 20, 5};
      Worker w = backend.newWorker(() -> {
        for (int size : sizes) {
          q.put(pattern(size));
        }
      }, WorkerOptions.defaults()).start();
      for (int size : sizes) {
        assertThat(q.get(LONG).orElseThrow()).as("item of %d bytes, maxSize %d", size, maxSize).isEqualTo(pattern(size));
      }
      assertThat(w.join(LONG)).isTrue();
      assertThat(w.exitCode()).hasValue(0);
    }
  }

  /**
   * A {@code byte[]} item is kept as its bytes alone in the hub ({@link QueueItem}): it must still
   * reach a child whole, whoever put it, and a put in the parent must copy the array.
   */
  @Test
  void byteArrayItemsPassParentToChildAndChildToChildWholeAndAPutCopiesTheArray() throws Exception {
    Queue<byte[]> in = backend.newQueue(0);
    Queue<byte[]> out = backend.newQueue(4);
    int[] sizes = {0, 1, 5, Frames.MAX_FRAGMENT + 1, Ring.MAX_RECORD + 7, 1 << 20};
    // a child echoes each item with its length appended, so the parent can tell it passed through
    Worker echo = backend.newWorker(() -> {
      for (int i = 0; i < sizes.length * 2; i++) {
        byte[] b = in.get();
        byte[] c = java.util.Arrays.copyOf(b, b.length + 1);
        c[b.length] = (byte) b.length;
        out.put(c);
      }
    }, WorkerOptions.defaults()).start();
    for (int size : sizes) {
      byte[] mine = pattern(size);
      in.put(mine);
      java.util.Arrays.fill(mine, (byte) 1); // after the put: the queue holds a copy
    }
    Worker producer = backend.newWorker(() -> {
      for (int size : sizes) {
        in.put(pattern(size)); // child to child, through the hub
      }
    }, WorkerOptions.defaults()).start();
    for (int round = 0; round < 2; round++) {
      for (int size : sizes) {
        byte[] expected = java.util.Arrays.copyOf(pattern(size), size + 1);
        expected[size] = (byte) size;
        assertThat(out.get(LONG).orElseThrow()).as("item of %d bytes, round %d", size, round).isEqualTo(expected);
      }
    }
    assertThat(producer.join(LONG)).isTrue();
    assertThat(echo.join(LONG)).isTrue();
    assertThat(echo.exitCode()).hasValue(0);
  }

  /** {@code n} bytes with zeros here and there, the same for the same {@code n}. */
  static byte[] pattern(int n) {
    byte[] b = new byte[n];
    new java.util.Random(n).nextBytes(b);
    return b;
  }

  private static List<Integer> drain(Queue<Integer> q, int n) throws InterruptedException {
    List<Integer> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      got.add(q.get(LONG).orElseThrow(() -> new AssertionError("an item is missing after " + got.size())));
    }
    return got;
  }

  private static List<Integer> range(int n) {
    return java.util.stream.IntStream.range(0, n).boxed().toList();
  }
}
