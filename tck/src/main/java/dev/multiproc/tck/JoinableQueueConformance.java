package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.JoinableQueue;
import dev.multiproc.Value;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link JoinableQueue} contract: the queue of {@link QueueConformance} plus the count of
 * unfinished items, {@code taskDone()} (an extra one refused), {@code join} with and without a
 * timeout, interruption, and producer/consumer work across workers.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class JoinableQueueConformance extends ConformanceSuite {

  /** For a backend that runs this suite alone: override {@link #provider()}. */
  protected JoinableQueueConformance() {}

  JoinableQueueConformance(ConformanceHooks kit) {
    super(kit);
  }

  @Test
  @DisplayName("join waits until every item put is marked done; an extra taskDone is refused")
  void countsUnfinished() throws Exception {
    JoinableQueue<String> q = backend().newJoinableQueue(0);
    q.join();
    assertThat(q.join(Duration.ZERO)).isTrue();
    assertThatIllegalStateException().as("taskDone with nothing put").isThrownBy(q::taskDone);
    q.put("a");
    assertThat(q.tryPut("b")).isTrue();
    assertThat(q.join(Duration.ofMillis(100))).isFalse();
    assertThat(q.get()).isEqualTo("a");
    assertThat(q.tryGet()).contains("b");
    assertThat(q.join(Duration.ZERO)).as("taken is not done").isFalse();
    q.taskDone();
    assertThat(q.join(Duration.ZERO)).isFalse();
    Background<Void> joiner = Background.run("jq-join", q::join);
    assertThat(joiner.stillRunningAfter(STILL_BLOCKED)).isTrue();
    q.taskDone();
    joiner.result(patience());
    assertThat(q.join(Duration.ZERO)).isTrue();
    assertThatIllegalStateException().as("more taskDone than puts").isThrownBy(q::taskDone);
    q.put("c");
    assertThat(q.join(Duration.ZERO)).as("the count did not go negative").isFalse();
  }

  @Test
  @DisplayName("a bounded joinable queue is a bounded queue; a put that fails does not count")
  void bounded() throws Exception {
    JoinableQueue<Integer> q = backend().newJoinableQueue(1);
    q.put(1);
    assertThat(q.tryPut(2)).isFalse();
    assertThat(q.put(2, Duration.ofMillis(50))).isFalse();
    assertThat(q.size()).isEqualTo(1);
    assertThat(q.get(Duration.ofSeconds(1))).contains(1);
    q.taskDone();
    assertThat(q.join(Duration.ZERO)).as("the failed puts were not counted").isTrue();
  }

  @Test
  @DisplayName("an interrupted join throws InterruptedException")
  void interruptedJoin() throws Exception {
    JoinableQueue<String> q = backend().newJoinableQueue(0);
    q.put("x");
    Thread.currentThread().interrupt();
    assertThatThrownBy(q::join).isInstanceOf(InterruptedException.class);
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> q.join(Duration.ofSeconds(1))).isInstanceOf(InterruptedException.class);
    Background<Void> joiner = Background.run("jq-join", q::join);
    joiner.awaitParked(patience());
    joiner.interrupt();
    assertThat(joiner.failure(patience())).isInstanceOf(InterruptedException.class);
  }

  @Test
  @DisplayName("consumer workers mark items done; join returns once all are processed, sums exact")
  void producerConsumerAcrossWorkers() throws Exception {
    JoinableQueue<Integer> q = backend().newJoinableQueue(0);
    Value sum = backend().newValue(0);
    List<Worker> consumers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      consumers.add(backend().newWorker(() -> {
        while (true) {
          int x = q.get();
          if (x < 0) {
            q.taskDone();
            return;
          }
          sum.addAndGet(x);
          q.taskDone();
        }
      }, WorkerOptions.builder().daemon(true).build()).start());
    }
    int n = 300 * scale();
    long expected = 0;
    for (int i = 1; i <= n; i++) {
      q.put(i);
      expected += i;
    }
    assertThat(q.join(patience())).as("all items done").isTrue();
    assertThat(sum.get()).as("the sum, read after join").isEqualTo(expected);
    q.put(-1);
    q.put(-1);
    for (Worker w : consumers) {
      assertThat(w.join(patience())).isTrue();
      assertThat(w.exitCode()).as("%s", w.failure()).hasValue(0);
    }
    assertThat(q.join(Duration.ZERO)).isTrue();
  }

  @Test
  @DisplayName("a worker can join a queue that the caller works off")
  void workerJoins() throws Exception {
    JoinableQueue<String> q = backend().newJoinableQueue(0);
    JoinableQueue<String> joined = backend().newJoinableQueue(0);
    Duration hang = patience();
    q.put("a");
    Worker w = backend().newWorker(() -> {
      if (q.join(hang)) {
        joined.put("joined");
      }
    }, WorkerOptions.defaults()).start();
    assertThat(joined.get(STILL_BLOCKED)).as("joined before taskDone").isEmpty();
    assertThat(q.get()).isEqualTo("a");
    q.taskDone();
    assertThat(joined.get(patience())).contains("joined");
    assertThat(w.join(hang)).isTrue();
  }
}
