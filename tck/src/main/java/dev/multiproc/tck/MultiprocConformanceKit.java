package dev.multiproc.tck;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/**
 * The whole conformance kit in one class: every suite, nested. A backend passes the kit when a
 * subclass of it passes:
 *
 * <pre>{@code
 * class ThreadConformanceTest extends MultiprocConformanceKit {
 *   @Override
 *   protected BackendProvider provider() {
 *     return new ThreadBackendProvider();
 *   }
 * }
 * }</pre>
 *
 * Add {@code dev.multiproc:multiproc-tck} in test scope; it brings JUnit Jupiter, AssertJ and
 * guava-testlib (with Guava and JUnit 4).
 * Override the other {@linkplain ConformanceHooks hooks} only where the defaults do not fit: the
 * process backend returns true from {@link #workersHavePids()} and {@link #shipsObjects()}; a backend with threads the kit
 * cannot see (virtual threads) or resources of its own checks them in
 * {@link #assertNothingLeft(dev.multiproc.Backend)}; a slow backend raises {@link #patience()}.
 *
 * <p>Every test opens a fresh backend with {@code provider().open(config())}, closes it at the end
 * and checks that no thread or child process it started is left. Tests run one at a time. The
 * suites ({@link PoolConformance}, {@link ExecutorServiceConformance}, {@link QueueConformance},
 * {@link EventConformance}, {@link LockConformance}, {@link SemaphoreConformance},
 * {@link BarrierConformance}, {@link JoinableQueueConformance}, {@link PipeConformance},
 * {@link SharedStateConformance}, {@link WorkerConformance}, {@link PythonParityConformance},
 * {@link HandleContractConformance}, {@link SelectionConformance}) can also be extended one by one.
 */
public abstract class MultiprocConformanceKit extends ConformanceHooks {

  /** For subclasses. */
  protected MultiprocConformanceKit() {}

  /** {@link PoolConformance} on the kit's backend. */
  @Nested
  @DisplayName("Pool")
  final class PoolTests extends PoolConformance {
    PoolTests() {
      super(MultiprocConformanceKit.this);
    }
  }

  /** {@link ExecutorServiceConformance} on the kit's backend. */
  @Nested
  @DisplayName("Pool.asExecutorService")
  final class ExecutorServiceTests extends ExecutorServiceConformance {
    ExecutorServiceTests() {
      super(MultiprocConformanceKit.this);
    }
  }

  /** {@link QueueConformance} on the kit's backend. */
  @Nested
  @DisplayName("Queue")
  final class QueueTests extends QueueConformance {
    QueueTests() {
      super(MultiprocConformanceKit.this);
    }
  }

  /** {@link EventConformance} on the kit's backend. */
  @Nested
  @DisplayName("Event")
  final class EventTests extends EventConformance {
    EventTests() {
      super(MultiprocConformanceKit.this);
    }
  }

  /** {@link LockConformance} on the kit's backend. */
  @Nested
  @DisplayName("Lock and RLock")
  final class LockTests extends LockConformance {
    LockTests() {
      super(MultiprocConformanceKit.this);
    }
  }

  /** {@link SemaphoreConformance} on the kit's backend. */
  @Nested
  @DisplayName("Semaphore")
  final class SemaphoreTests extends SemaphoreConformance {
    SemaphoreTests() {
      super(MultiprocConformanceKit.this);
    }
  }

  /** {@link BarrierConformance} on the kit's backend. */
  @Nested
  @DisplayName("Barrier")
  final class BarrierTests extends BarrierConformance {
    BarrierTests() {
      super(MultiprocConformanceKit.this);
    }
  }

  /** {@link JoinableQueueConformance} on the kit's backend. */
  @Nested
  @DisplayName("JoinableQueue")
  final class JoinableQueueTests extends JoinableQueueConformance {
    JoinableQueueTests() {
      super(MultiprocConformanceKit.this);
    }
  }

  /** {@link PipeConformance} on the kit's backend. */
  @Nested
  @DisplayName("Pipe and Connection")
  final class PipeTests extends PipeConformance {
    PipeTests() {
      super(MultiprocConformanceKit.this);
    }
  }

  /** {@link SharedStateConformance} on the kit's backend. */
  @Nested
  @DisplayName("Value and SharedMap")
  final class SharedStateTests extends SharedStateConformance {
    SharedStateTests() {
      super(MultiprocConformanceKit.this);
    }
  }

  /** {@link WorkerConformance} on the kit's backend. */
  @Nested
  @DisplayName("Worker")
  final class WorkerTests extends WorkerConformance {
    WorkerTests() {
      super(MultiprocConformanceKit.this);
    }
  }

  /** {@link PythonParityConformance} on the kit's backend. */
  @Nested
  @DisplayName("Python parity")
  final class PythonParityTests extends PythonParityConformance {
    PythonParityTests() {
      super(MultiprocConformanceKit.this);
    }
  }

  /** {@link HandleContractConformance} on the kit's backend. */
  @Nested
  @DisplayName("Null arguments and shipped handles")
  final class HandleContractTests extends HandleContractConformance {
    HandleContractTests() {
      super(MultiprocConformanceKit.this);
    }
  }

  /** {@link SelectionConformance} on the kit's provider. */
  @Nested
  @DisplayName("Selection")
  final class SelectionTests extends SelectionConformance {
    SelectionTests() {
      super(MultiprocConformanceKit.this);
    }
  }
}
