package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Event;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.tck.Await;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Queues lose nothing when the children using them die, and the channel survives any bytes on fd 1. */
@Timeout(300)
class QueueFaultsIT extends WithProcessBackend {

  private void awaitWaiting(int n) {
    Await.untilOrFail(() -> backend.waitingRequests() >= n, Duration.ofSeconds(30),
        () -> n + " children's gets wait in the hub (" + backend.waitingRequests() + " do)");
  }

  @Test
  void itemsPutByAChildBeforeItWasKilledStayInTheQueue() throws Exception {
    Queue<Integer> q = backend.newQueue(0);
    Event done = backend.newEvent();
    Worker w = backend.newWorker(() -> {
      for (int i = 0; i < 1000; i++) {
        q.put(i);
      }
      done.set();
      Thread.sleep(Long.MAX_VALUE);
    }, WorkerOptions.defaults()).start();
    assertThat(done.await(Duration.ofSeconds(60))).isTrue();
    w.kill();
    assertThat(w.join(Duration.ofSeconds(30))).isTrue();
    List<Integer> got = new ArrayList<>();
    q.tryGet().ifPresent(got::add);
    while (got.size() < 1000) {
      got.add(q.get(Duration.ofSeconds(5)).orElseThrow());
    }
    assertThat(got).isEqualTo(java.util.stream.IntStream.range(0, 1000).boxed().toList());
    assertThat(q.size()).isZero();
  }

  @Test
  void aChildBlockedInGetWhenKilledDoesNotSwallowAnItem() throws Exception {
    Queue<String> q = backend.newQueue(0);
    Worker w = backend.newWorker(() -> System.out.println("got " + q.get()), WorkerOptions.defaults()).start();
    awaitWaiting(1);
    w.kill();
    assertThat(w.join(Duration.ofSeconds(30))).isTrue();
    q.put("for the living");
    assertThat(q.get(Duration.ofSeconds(5))).contains("for the living");
  }

  @Test
  void anItemDeliveredToAChildThatDiesBeforeTakingItGoesBackToTheFront() throws Exception {
    Queue<String> q = backend.newQueue(0);
    long queueId = ((ProcessQueue<String>) q).id;
    Event received = backend.newEvent();
    q.put("first");
    q.put("second");
    // A child that receives the reply of a get but dies before its get() returns (and acknowledges).
    Worker w = backend.newWorker(() -> {
      Buf op = new Buf(16).writeByte(Msg.OP_GET).writeVarLong(queueId).writeVarLong(Msg.WAIT_FOREVER);
      ParentCalls.Reply r = ChildChannel.current.request(Msg.QUEUE_OP, op);
      if (r.status == Msg.R_VALUE) {
        received.set();
      }
      Thread.sleep(Long.MAX_VALUE);
    }, WorkerOptions.defaults()).start();
    assertThat(received.await(Duration.ofSeconds(60))).isTrue();
    assertThat(q.size()).isEqualTo(1);
    w.kill();
    assertThat(w.join(Duration.ofSeconds(30))).isTrue();
    assertThat(q.get(Duration.ofSeconds(5))).contains("first");
    assertThat(q.get(Duration.ofSeconds(5))).contains("second");
  }

  @Test
  void anInterruptedGetInAChildTakesNothing() throws Exception {
    Queue<String> q = backend.newQueue(0);
    Event interruptNow = backend.newEvent();
    Queue<String> outcome = backend.newQueue(0);
    Worker w = backend.newWorker(() -> {
      Thread getter = new Thread(() -> {
        try {
          outcome.put("got " + q.get());
        } catch (InterruptedException e) {
          try {
            outcome.put("interrupted");
          } catch (InterruptedException again) {
            Thread.currentThread().interrupt();
          }
        }
      });
      getter.start();
      interruptNow.await();
      getter.interrupt();
      getter.join();
    }, WorkerOptions.defaults()).start();
    awaitWaiting(2); // the getter's get, and the task's await
    interruptNow.set();
    assertThat(outcome.get(Duration.ofSeconds(30))).contains("interrupted");
    assertThat(w.join(Duration.ofSeconds(30))).isTrue();
    q.put("still here");
    assertThat(q.get(Duration.ofSeconds(5))).contains("still here");
  }

  @Test
  void aMillionItemsFromTwoChildProducersToTwoChildConsumersNoLossNoDuplicate() throws Exception {
    int perProducer = 500_000;
    Queue<Integer> q = backend.newQueue(0);
    Queue<BitSet> seen = backend.newQueue(0);
    List<Worker> workers = new ArrayList<>();
    long start = System.nanoTime();
    for (int c = 0; c < 2; c++) {
      workers.add(backend.newWorker(() -> {
        BitSet mine = new BitSet(2 * perProducer);
        while (true) {
          int x = q.get();
          if (x < 0) {
            break;
          }
          if (mine.get(x)) {
            throw new IllegalStateException("duplicate " + x);
          }
          mine.set(x);
        }
        seen.put(mine);
      }, WorkerOptions.defaults()).start());
    }
    for (int p = 0; p < 2; p++) {
      int base = p * perProducer;
      workers.add(backend.newWorker(() -> {
        for (int i = 0; i < perProducer; i++) {
          q.put(base + i);
        }
        q.put(-1);
      }, WorkerOptions.defaults()).start());
    }
    BitSet a = seen.get(Duration.ofSeconds(240)).orElseThrow();
    BitSet b = seen.get(Duration.ofSeconds(240)).orElseThrow();
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("[fault-timing] 1,000,000 items child->hub->child, 2 producers, 2 consumers: %.1f s (%.0f items/s)%n",
        seconds, 1e6 / seconds);
    for (Worker w : workers) {
      assertThat(w.join(Duration.ofSeconds(30))).isTrue();
      assertThat(w.exitCode()).hasValue(0);
    }
    assertThat(a.intersects(b)).as("an item taken twice").isFalse();
    BitSet all = (BitSet) a.clone();
    all.or(b);
    assertThat(all.cardinality()).isEqualTo(2 * perProducer);
    assertThat(q.size()).isZero();
  }

  /**
   * A child writes random bytes straight to fd 1 (zeros, the frame magic, frames cut short, copies
   * of real frame starts) between 10,000 queue puts: every item arrives in order, and the parent's
   * stdout receives exactly the bytes written, in order.
   */
  @Test
  void randomBytesOnFd1NeverBreakTheChannel() throws Exception {
    long seed = 42;
    int items = 10_000;
    Queue<Integer> q = backend.newQueue(0);
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true));
    List<Integer> got = new ArrayList<>();
    try {
      Worker w = backend.newWorker(() -> {
        Random random = new Random(seed);
        FileOutputStream raw = new FileOutputStream(FileDescriptor.out);
        for (int i = 0; i < items; i++) {
          raw.write(garbage(random));
          q.put(i);
        }
        raw.flush();
      }, WorkerOptions.defaults()).start();
      while (got.size() < items) {
        got.add(q.get(Duration.ofSeconds(60)).orElseThrow());
      }
      assertThat(w.join(Duration.ofSeconds(60))).isTrue();
      assertThat(w.exitCode()).hasValue(0);
    } finally {
      System.setOut(original);
    }
    assertThat(got).isEqualTo(java.util.stream.IntStream.range(0, items).boxed().toList());
    Random random = new Random(seed);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (int i = 0; i < items; i++) {
      expected.writeBytes(garbage(random));
    }
    assertThat(captured.toByteArray()).isEqualTo(expected.toByteArray());
  }

  static byte[] garbage(Random random) {
    ByteArrayOutputStream g = new ByteArrayOutputStream();
    switch (random.nextInt(8)) {
      case 0 -> g.writeBytes(("line " + random.nextInt() + "\n").getBytes());
      case 1 -> {
        byte[] b = new byte[random.nextInt(random.nextInt(10) == 0 ? 9000 : 100)];
        random.nextBytes(b);
        g.writeBytes(b);
      }
      case 2 -> g.writeBytes(new byte[] {0, 'M', 'P'});
      case 3 -> {
        Buf f = new Buf();
        byte[] payload = new byte[1 + random.nextInt(300)];
        random.nextBytes(payload);
        Frames.encode(Frames.FIRST | Frames.LAST, payload, 0, payload.length, f);
        g.write(f.bytes, 0, 1 + random.nextInt(f.size - 2)); // a real frame, cut short
      }
      case 4 -> g.writeBytes(new byte[random.nextInt(4)]);
      default -> {
        // nothing this time
      }
    }
    return g.toByteArray();
  }
}
