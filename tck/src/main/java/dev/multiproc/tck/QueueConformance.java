package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Pool;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link Queue} contract: FIFO order, capacity and the blocking, timed and non-blocking puts
 * and gets, {@code size}, null and argument checks, interruption (the queue unchanged), and a
 * queue shared by many producer and consumer workers (nothing lost, nothing duplicated,
 * per-producer order kept) and used inside workers in both directions.
 */
public abstract class QueueConformance extends ConformanceSuite {

  /** For a backend that runs this suite alone: override {@link #provider()}. */
  protected QueueConformance() {}

  QueueConformance(ConformanceHooks kit) {
    super(kit);
  }

  @Test
  @DisplayName("items come out in the order they went in; size counts them")
  void fifo() throws InterruptedException {
    Queue<String> q = queue();
    assertThat(q.size()).isZero();
    q.put("a");
    assertThat(q.put("b", Duration.ofSeconds(1))).isTrue();
    assertThat(q.tryPut("c")).isTrue();
    q.put("d");
    assertThat(q.size()).isEqualTo(4);
    assertThat(q.get()).isEqualTo("a");
    assertThat(q.get(Duration.ofSeconds(1))).contains("b");
    assertThat(q.tryGet()).contains("c");
    assertThat(q.size()).isEqualTo(1);
    assertThat(q.get()).isEqualTo("d");
    assertThat(q.size()).isZero();
    assertThat(q.tryGet()).isEmpty();
  }

  @Test
  @DisplayName("an unbounded queue (maxSize 0) takes many items without blocking")
  void unboundedQueue() {
    Queue<Integer> q = backend().newQueue(0);
    for (int i = 0; i < 1000; i++) {
      assertThat(q.tryPut(i)).as("tryPut #%s", i).isTrue();
    }
    assertThat(q.size()).isEqualTo(1000);
    assertThat(q.tryGet()).contains(0);
  }

  @Test
  @DisplayName("on a full bounded queue put blocks, put(timeout) and tryPut return false")
  void boundedQueueBlocksPutWhileFull() throws Exception {
    Queue<String> q = backend().newQueue(2);
    q.put("a");
    assertThat(q.tryPut("b")).isTrue();
    assertThat(q.tryPut("c")).as("tryPut on a full queue").isFalse();
    assertThat(q.put("c", Duration.ofMillis(100))).as("put(timeout) on a full queue").isFalse();
    assertThat(q.put("c", Duration.ZERO)).isFalse();
    assertThat(q.put("c", Duration.ofMillis(-5))).isFalse();
    assertThat(q.size()).isEqualTo(2);

    Background<Void> putter = Background.run("queue-put", () -> q.put("c"));
    assertThat(putter.stillRunningAfter(STILL_BLOCKED)).as("put() blocks while the queue is full").isTrue();
    assertThat(q.get()).isEqualTo("a");
    putter.result(patience());
    assertThat(q.size()).isEqualTo(2);
    assertThat(q.get()).isEqualTo("b");
    assertThat(q.get()).isEqualTo("c");

    assertThat(q.put("d", Duration.ofSeconds(1))).as("put(timeout) with space").isTrue();
    assertThat(q.tryPut("e")).isTrue();
    Background<Boolean> timedPutter = Background.call("queue-put-timeout", () -> q.put("f", patience()));
    assertThat(timedPutter.stillRunningAfter(STILL_BLOCKED)).as("put(timeout) waits for space").isTrue();
    assertThat(q.tryGet()).contains("d");
    assertThat(timedPutter.result(patience())).isTrue();
    assertThat(q.get()).isEqualTo("e");
    assertThat(q.get()).isEqualTo("f");
  }

  @Test
  @DisplayName("get(timeout) on an empty queue is empty after the timeout; tryGet is empty at once")
  void getOnEmptyQueue() throws Exception {
    Queue<String> q = queue();
    assertThat(q.get(Duration.ofMillis(100))).isEmpty();
    assertThat(q.get(Duration.ZERO)).isEmpty();
    assertThat(q.get(Duration.ofMillis(-5))).isEmpty();
    assertThat(q.tryGet()).isEmpty();

    Background<String> getter = Background.call("queue-get", q::get);
    assertThat(getter.stillRunningAfter(STILL_BLOCKED)).as("get() blocks while the queue is empty").isTrue();
    q.put("x");
    assertThat(getter.result(patience())).isEqualTo("x");
    assertThat(q.size()).isZero();
  }

  @Test
  @DisplayName("null items and timeouts throw NullPointerException; a negative maxSize throws IllegalArgumentException")
  void badArguments() {
    Queue<String> q = backend().newQueue(3);
    assertThatNullPointerException().isThrownBy(() -> q.put(null));
    assertThatNullPointerException().isThrownBy(() -> q.put(null, Duration.ofMillis(10)));
    assertThatNullPointerException().isThrownBy(() -> q.tryPut(null));
    assertThatNullPointerException().isThrownBy(() -> q.put("x", null));
    assertThatNullPointerException().isThrownBy(() -> q.get(null));
    assertThat(q.size()).isZero();
    assertThatIllegalArgumentException().isThrownBy(() -> backend().newQueue(-1));
  }

  @Test
  @DisplayName("an interrupted get throws InterruptedException and takes nothing")
  void interruptedGet() throws Exception {
    Queue<String> q = queue();
    Thread.currentThread().interrupt();
    assertThatThrownBy(q::get).as("get() with the interrupt flag set").isInstanceOf(InterruptedException.class);
    Thread.interrupted();
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> q.get(Duration.ofSeconds(5))).as("get(timeout) with the interrupt flag set")
        .isInstanceOf(InterruptedException.class);
    Thread.interrupted();

    Background<String> getter = Background.call("queue-get", q::get);
    getter.awaitParked(patience());
    getter.interrupt();
    assertThat(getter.failure(patience())).isInstanceOf(InterruptedException.class);
    Background<Optional<String>> timedGetter = Background.call("queue-get-timeout", () -> q.get(patience()));
    timedGetter.awaitParked(patience());
    timedGetter.interrupt();
    assertThat(timedGetter.failure(patience())).isInstanceOf(InterruptedException.class);

    q.put("kept");
    assertThat(q.size()).isEqualTo(1);
    assertThat(q.get()).isEqualTo("kept");
  }

  @Test
  @DisplayName("an interrupted put throws InterruptedException and adds nothing")
  void interruptedPut() throws Exception {
    Queue<String> q = backend().newQueue(1);
    q.put("a");
    Background<Void> putter = Background.run("queue-put", () -> q.put("b"));
    putter.awaitParked(patience());
    putter.interrupt();
    assertThat(putter.failure(patience())).isInstanceOf(InterruptedException.class);
    Background<Boolean> timedPutter = Background.call("queue-put-timeout", () -> q.put("c", patience()));
    timedPutter.awaitParked(patience());
    timedPutter.interrupt();
    assertThat(timedPutter.failure(patience())).isInstanceOf(InterruptedException.class);

    assertThat(q.size()).isEqualTo(1);
    assertThat(q.get()).isEqualTo("a");
    assertThat(q.tryGet()).as("nothing was added by the interrupted puts").isEmpty();
  }

  @Test
  @DisplayName("many producer and consumer workers on one queue: nothing lost or duplicated, per-producer order kept")
  void manyProducersAndConsumers() throws Exception {
    int producers = 2;
    int consumers = 2;
    int perProducer = 200 * scale();
    Queue<Integer> work = backend().newQueue(8);
    Queue<String> seen = queue();
    List<Worker> producerWorkers = new ArrayList<>();
    List<Worker> consumerWorkers = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int base = p * 1_000_000;
      producerWorkers.add(backend().newWorker(() -> {
        for (int i = 0; i < perProducer; i++) {
          work.put(base + i);
        }
      }, WorkerOptions.builder().name("producer-" + p).build()));
    }
    for (int c = 0; c < consumers; c++) {
      String consumer = "consumer-" + c;
      consumerWorkers.add(backend().newWorker(() -> {
        while (true) {
          int item = work.get();
          if (item < 0) {
            return;
          }
          seen.put(consumer + " " + item);
        }
      }, WorkerOptions.builder().name(consumer).build()));
    }
    consumerWorkers.forEach(Worker::start);
    producerWorkers.forEach(Worker::start);
    for (Worker w : producerWorkers) {
      assertThat(w.join(patience())).as("%s ended", w.name()).isTrue();
      assertThat(w.exitCode()).as("%s exit code", w.name()).hasValue(0);
    }
    for (int c = 0; c < consumers; c++) {
      work.put(-1);
    }
    for (Worker w : consumerWorkers) {
      assertThat(w.join(patience())).as("%s ended", w.name()).isTrue();
      assertThat(w.exitCode()).as("%s exit code", w.name()).hasValue(0);
    }

    List<Integer> all = new ArrayList<>();
    Map<String, Integer> lastSeen = new HashMap<>(); // "consumer producer" -> last item
    for (String line : drain(seen)) {
      String[] parts = line.split(" ");
      int item = Integer.parseInt(parts[1]);
      all.add(item);
      String pair = parts[0] + " from producer " + item / 1_000_000;
      Integer previous = lastSeen.put(pair, item);
      assertThat(previous == null || previous < item).as("%s: %s after %s", pair, item, previous).isTrue();
    }
    List<Integer> expected = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      for (int i = 0; i < perProducer; i++) {
        expected.add(p * 1_000_000 + i);
      }
    }
    assertThat(all).as("items taken").hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(work.size()).isZero();
  }

  @Test
  @DisplayName("a queue captured by tasks works inside workers and pools, in both directions")
  void queueHandlesInsideWorkers() throws Exception {
    Queue<String> in = queue();
    Queue<String> out = queue();
    Worker echo = backend().newWorker(() -> {
      for (String s = in.get(); !s.equals("stop"); s = in.get()) {
        out.put(s.toUpperCase());
      }
    }, WorkerOptions.defaults()).start();
    in.put("a");
    assertThat(take(out)).isEqualTo("A");
    in.put("b");
    in.put("c");
    assertThat(take(out, 2)).containsExactly("B", "C");
    in.put("stop");
    assertThat(echo.join(patience())).isTrue();
    assertThat(echo.exitCode()).hasValue(0);

    try (Pool pool = pool(2)) {
      CompletableFuture<String> reply = pool.submit(() -> {
        out.put("from the pool");
        return in.get();
      });
      assertThat(take(out)).isEqualTo("from the pool");
      in.put("to the pool");
      assertThat(get(reply)).isEqualTo("to the pool");
    }
  }

  @Test
  @DisplayName("items a consumer worker has not taken are there for the next consumer, oldest first")
  void itemsAWorkerDidNotTakeAreThereForTheNext() throws Exception {
    Queue<Integer> q = queue();
    for (int i = 0; i < 200; i++) {
      q.put(i);
    }
    Queue<List<Integer>> took = queue();
    dev.multiproc.Event end = backend().newEvent();
    Worker first = backend().newWorker(() -> {
      List<Integer> got = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        got.add(q.get());
      }
      took.put(got);
      end.await(); // holds on to the queue, takes nothing more
    }, WorkerOptions.defaults()).start();
    assertThat(took.get(patience())).as("the first worker's ten").contains(range(0, 10));
    assertThat(q.size()).isEqualTo(190);
    Worker second = backend().newWorker(() -> {
      List<Integer> got = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        got.add(q.get());
      }
      took.put(got);
    }, WorkerOptions.defaults()).start();
    assertThat(took.get(patience())).as("the second worker's hundred, in order").contains(range(10, 110));
    List<Integer> rest = new ArrayList<>();
    for (int i = 110; i < 200; i++) {
      rest.add(q.get(patience()).orElseThrow());
    }
    assertThat(rest).as("the caller's, in order").isEqualTo(range(110, 200));
    assertThat(q.tryGet()).isEmpty();
    end.set();
    assertThat(first.join(patience())).isTrue();
    assertThat(second.join(patience())).isTrue();
  }
}
