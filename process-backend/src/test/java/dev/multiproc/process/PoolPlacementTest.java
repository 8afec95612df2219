package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Event;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Children keep several units in flight to hide the pipe's latency, but never so that a unit
 * waits behind a blocked one while another worker idles (Python's workers take one task at a time;
 * a prefetch must not deadlock what Python runs).
 */
@Timeout(120)
class PoolPlacementTest extends WithProcessBackend {

  @RepeatedTest(3)
  void aTaskThatWaitsForALaterTaskDoesNotDeadlock() throws Exception {
    Event set = backend.newEvent();
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(2).build())) {
      // Warm the pool with quick work so that it pipelines, then the pair.
      pool.map(i -> i, IntStream.range(0, 2000).boxed().toList(), 1);
      CompletableFuture<Boolean> waiter = pool.submit(() -> set.await(Duration.ofSeconds(60)));
      CompletableFuture<Boolean> setter = pool.submit(() -> {
        set.set();
        return true;
      });
      assertThat(waiter.get()).isTrue();
      assertThat(setter.get()).isTrue();
    }
  }

  @Test
  void asManyBlockingTasksAsWorkersRunAtTheSameTime() throws Exception {
    Queue<Integer> arrived = backend.newQueue(0);
    Event go = backend.newEvent();
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(3).build())) {
      pool.map(i -> i, IntStream.range(0, 3000).boxed().toList(), 1);
      var futures = IntStream.range(0, 3).mapToObj(i -> pool.submit(() -> {
        arrived.put(i);
        return go.await(Duration.ofSeconds(60));
      })).toList();
      for (int i = 0; i < 3; i++) {
        assertThat(arrived.get(Duration.ofSeconds(60))).as("task %d of 3 running", i).isPresent();
      }
      go.set();
      for (var f : futures) {
        assertThat(f.get()).isTrue();
      }
    }
  }

  @Test
  void aLongMapOfBlockingItemsUsesEveryWorker() throws Exception {
    Queue<Long> pids = backend.newQueue(0);
    Event go = backend.newEvent();
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(2).build())) {
      CompletableFuture<List<Boolean>> all = CompletableFuture.supplyAsync(() -> pool.map(i -> {
        pids.put(ProcessHandle.current().pid());
        return go.await(Duration.ofSeconds(60));
      }, List.of(1, 2), 1));
      long first = pids.get(Duration.ofSeconds(60)).orElseThrow();
      long second = pids.get(Duration.ofSeconds(60)).orElseThrow();
      assertThat(second).as("the two items run in two different children").isNotEqualTo(first);
      go.set();
      assertThat(all.get()).containsExactly(true, true);
    }
  }
}
