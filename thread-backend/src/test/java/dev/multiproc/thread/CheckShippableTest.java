package dev.multiproc.thread;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Backend;
import dev.multiproc.NotShippableException;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.WorkerOptions;
import dev.multiproc.spi.BackendConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code multiproc.thread.check-shippable=true}: what the process backend could not send fails on
 * threads too, with {@link NotShippableException} naming the key; what it can send runs.
 */
@Timeout(60)
class CheckShippableTest {

  private final Backend checking = new ThreadBackendProvider().open(BackendConfig.of("thread", Map.of("check-shippable", "true")));

  @AfterEach
  void close() {
    checking.close();
  }

  /** Not serializable, as a service or a 'this' a lambda captures often is not. */
  private static final class Service {
    int twice(int x) {
      return 2 * x;
    }
  }

  @Test
  void aFunctionThatCapturesSomethingUnserializableIsRefused() {
    Service service = new Service();
    try (Pool pool = checking.newPool(PoolOptions.builder().workers(2).build())) {
      assertThatThrownBy(() -> pool.map(x -> service.twice(x), List.of(1, 2)))
          .isInstanceOf(NotShippableException.class)
          .hasMessageContaining(Service.class.getName() + " is not serializable")
          .hasMessageContaining("multiproc.thread.check-shippable=true");
      assertThat(pool.map(x -> 2 * x, List.of(1, 2))).containsExactly(2, 4);
    }
  }

  @Test
  void itemsResultsSubmitsAndWorkersAreChecked() throws Exception {
    try (Pool pool = checking.newPool(PoolOptions.builder().workers(1).build())) {
      assertThatThrownBy(() -> pool.map(x -> 1, List.<Object>of(1, new Service())))
          .isInstanceOf(NotShippableException.class).hasMessageContaining("item 1");
      assertThatThrownBy(() -> pool.map(x -> new Service(), List.of(1)))
          .isInstanceOf(NotShippableException.class).hasMessageContaining("result");
      Service service = new Service();
      assertThatThrownBy(() -> pool.submit(() -> service.twice(1)).get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(NotShippableException.class);
    }
    Service service = new Service();
    assertThatThrownBy(() -> checking.newWorker(() -> service.twice(1), WorkerOptions.defaults()))
        .isInstanceOf(NotShippableException.class).hasMessageContaining("the worker's task");
  }

  @Test
  void queueHandlesTravelAndWithoutTheKeyNothingIsChecked() throws Exception {
    Queue<Integer> q = checking.newQueue(0);
    try (Pool pool = checking.newPool(PoolOptions.builder().workers(1).build())) {
      pool.map(x -> {
        q.put(x);
        return x;
      }, List.of(7));
      assertThat(q.get(Duration.ofSeconds(30))).contains(7);
    }
    try (Backend plain = new ThreadBackendProvider().open(BackendConfig.of("thread", Map.of()));
        Pool pool = plain.newPool(PoolOptions.builder().workers(1).build())) {
      Service service = new Service();
      assertThat(pool.map(x -> service.twice(x), List.of(1))).containsExactly(2);
    }
  }
}
