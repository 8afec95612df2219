package dev.multiproc.thread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Backend;
import dev.multiproc.spi.BackendProvider;
import dev.multiproc.tck.EventConformance;
import dev.multiproc.tck.PoolConformance;
import dev.multiproc.tck.QueueConformance;
import dev.multiproc.tck.WorkerConformance;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/**
 * The conformance suites on the thread backend with every task, function, initializer and queue
 * item copied through serialization ({@link ShippingBackend}): proves that the kit's tasks can
 * travel to child JVMs and cluster members (they capture no test instance and share no mutable
 * state), before a process backend finds out. Also shows that the suites work when extended one
 * by one. The selection suite is left out: this wrapper's provider is not registered.
 */
class ShippingThreadConformanceTest {

  private static BackendProvider shipping() {
    return new ShippingBackend.Provider();
  }

  private static void assertNoThreadLeft(Backend closed) {
    assertThat(((ShippingBackend) closed).delegate().threads().liveThreads()).as("live threads counted by the backend").isZero();
  }

  @Nested
  @DisplayName("Pool, shipped")
  class ShippedPool extends PoolConformance {
    @Override
    protected BackendProvider provider() {
      return shipping();
    }

    @Override
    protected void assertNothingLeft(Backend closed) {
      assertNoThreadLeft(closed);
    }
  }

  @Nested
  @DisplayName("Queue, shipped")
  class ShippedQueue extends QueueConformance {
    @Override
    protected BackendProvider provider() {
      return shipping();
    }

    @Override
    protected void assertNothingLeft(Backend closed) {
      assertNoThreadLeft(closed);
    }
  }

  @Nested
  @DisplayName("Event, shipped")
  class ShippedEvent extends EventConformance {
    @Override
    protected BackendProvider provider() {
      return shipping();
    }

    @Override
    protected void assertNothingLeft(Backend closed) {
      assertNoThreadLeft(closed);
    }
  }

  @Nested
  @DisplayName("Worker, shipped")
  class ShippedWorker extends WorkerConformance {
    @Override
    protected BackendProvider provider() {
      return shipping();
    }

    @Override
    protected void assertNothingLeft(Backend closed) {
      assertNoThreadLeft(closed);
    }
  }
}
