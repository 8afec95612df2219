package dev.multiproc.virtualthread;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Backend;
import dev.multiproc.Event;
import dev.multiproc.Multiproc;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.spi.BackendConfig;
import dev.multiproc.spi.BackendProvider;
import dev.multiproc.engine.LocalBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class VirtualThreadBackendProviderTest {

  private LocalBackend backend;

  @AfterEach
  void closeBackend() {
    if (backend != null) {
      backend.close();
      assertThat(backend.threads().liveThreads()).as("threads left after close").isZero();
    }
  }

  private LocalBackend open(Map<String, String> options) {
    backend = (LocalBackend) new VirtualThreadBackendProvider().open(BackendConfig.of("virtual-thread", options));
    return backend;
  }

  @Test
  void checkShippableRefusesWhatTheProcessBackendCouldNotSendAndNamesItsKey() {
    Object notSerializable = new Object();
    try (Pool pool = open(Map.of("check-shippable", "true")).newPool(PoolOptions.builder().workers(2).build())) {
      assertThatThrownBy(() -> pool.map(x -> notSerializable.hashCode() + x, List.of(1, 2)))
          .isInstanceOf(dev.multiproc.NotShippableException.class)
          .hasMessageContaining("java.lang.Object is not serializable")
          .hasMessageContaining("multiproc.virtual-thread.check-shippable=true");
      assertThat(pool.map(x -> 2 * x, List.of(1, 2))).containsExactly(2, 4);
    }
  }

  @Test
  void withoutCheckShippableAnythingRuns() {
    Object notSerializable = new Object();
    int hash = notSerializable.hashCode();
    try (Pool pool = open(Map.of()).newPool(PoolOptions.builder().workers(2).build())) {
      assertThat(pool.map(x -> notSerializable.hashCode() + x, List.of(1, 2))).containsExactly(hash + 1, hash + 2);
    }
  }

  @Test
  void declaresItsNameAndAPriorityAboveThread() {
    BackendProvider p = new VirtualThreadBackendProvider();
    assertThat(p.name()).isEqualTo("virtual-thread").isEqualTo(VirtualThreadBackendProvider.NAME);
    assertThat(p.priority()).isEqualTo(20);
  }

  @Test
  void isAloneOnItsOwnClassPath() {
    // The module depends on api + engine only: no sibling backend comes along with it.
    List<String> names = ServiceLoader.load(BackendProvider.class).stream().map(h -> h.get().name()).toList();
    assertThat(names).containsExactly("virtual-thread");
    assertThat(Multiproc.availableBackends()).containsExactly("virtual-thread");
    assertThat(Multiproc.defaultChoice().reason()).isIn("the only backend on the class path",
        "chosen by " + BackendConfig.lookup("multiproc.backend").map(BackendConfig.Setting::describe).orElse(""));
  }

  @Test
  void isTheDefaultWhenNothingIsConfigured() {
    Assumptions.assumeTrue(BackendConfig.lookup("multiproc.backend").isEmpty(),
        "multiproc.backend is configured in this environment");
    // The shared default backend is closed at JVM exit; it has no threads until used.
    assertThat(Multiproc.backend().name()).isEqualTo("virtual-thread");
    assertThat(Multiproc.backend("virtual-thread")).isSameAs(Multiproc.backend());
  }

  @Test
  void opensANamedBackendWhoseWorkersAreVirtualThreads() throws Exception {
    Backend b = open(Map.of());
    assertThat(b.name()).isEqualTo("virtual-thread");
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    Worker w = b.newWorker(() -> ranOn.set(Thread.currentThread()), WorkerOptions.builder().name("w").build()).start();
    assertThat(w.join(Duration.ofSeconds(10))).isTrue();
    assertThat(w.exitCode()).hasValue(0);
    assertThat(ranOn.get().isVirtual()).isTrue();
    assertThat(ranOn.get().getName()).isEqualTo("w");
  }

  @Test
  void poolWorkersAreVirtualThreads() {
    Backend b = open(Map.of());
    try (Pool pool = b.newPool(PoolOptions.builder().workers(3).name("vp").build())) {
      List<Boolean> virtual = pool.map(i -> Thread.currentThread().isVirtual(), List.of(1, 2, 3, 4, 5, 6), 1);
      assertThat(virtual).containsOnly(true).hasSize(6);
      assertThat(pool.submit(() -> Thread.currentThread().getName()).join()).startsWith("vp-");
    }
  }

  @Test
  void aNonDaemonWorkerHoldsOnePlatformKeepAliveThreadUntilItEnds() throws Exception {
    LocalBackend b = open(Map.of());
    Event go = b.newEvent();
    List<Worker> workers = IntStream.range(0, 3)
        .mapToObj(i -> b.newWorker(go::await, WorkerOptions.defaults()).start())
        .toList();
    Thread keepAlive = platformThread(b.name() + "-keep-alive");
    assertThat(keepAlive).isNotNull();
    assertThat(keepAlive.isVirtual()).isFalse();
    assertThat(keepAlive.isDaemon()).isFalse();
    go.set();
    for (Worker w : workers) {
      assertThat(w.join(Duration.ofSeconds(10))).isTrue();
    }
    keepAlive.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(keepAlive.isAlive()).as("keep-alive thread after the last non-daemon worker ended").isFalse();
  }

  private static Thread platformThread(String name) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst().orElse(null);
  }

  @Test
  void closeWaitsAtMostTheConfiguredShutdownTimeoutForAWorkerThatIgnoresInterrupts() throws Exception {
    LocalBackend b = open(Map.of("shutdown-timeout", "100ms"));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Worker stubborn = b.newWorker(() -> {
      started.countDown();
      while (true) {
        try {
          release.await();
          return;
        } catch (InterruptedException ignored) {
          // this worker ignores terminate() on purpose
        }
      }
    }, WorkerOptions.builder().daemon(true).build()).start();
    started.await();
    b.close(); // returns after about 100ms although the worker is still running (the default is 10s)
    assertThat(stubborn.isAlive()).isTrue();
    release.countDown();
    assertThat(stubborn.join(Duration.ofSeconds(10))).isTrue();
    assertThat(stubborn.exitCode()).hasValue(-9);
    Polling.until(() -> b.threads().liveThreads() == 0, Duration.ofSeconds(10), () -> "the worker's thread ended");
  }

  @Test
  void anInvalidShutdownTimeoutNamesTheKey() {
    BackendConfig config = BackendConfig.of("virtual-thread", Map.of("shutdown-timeout", "soon"));
    assertThatThrownBy(() -> new VirtualThreadBackendProvider().open(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multiproc.virtual-thread.shutdown-timeout=soon")
        .hasMessageContaining("duration");
  }
}
