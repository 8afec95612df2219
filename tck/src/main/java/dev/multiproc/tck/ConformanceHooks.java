package dev.multiproc.tck;

import dev.multiproc.Backend;
import dev.multiproc.spi.BackendConfig;
import dev.multiproc.spi.BackendProvider;
import java.time.Duration;

/**
 * What a backend tells the conformance kit about itself: the provider under test and a few
 * optional settings. {@link MultiprocConformanceKit} and every suite ({@link PoolConformance},
 * {@link QueueConformance}, {@link EventConformance}, {@link WorkerConformance},
 * {@link SelectionConformance}) extend it; override {@link #provider()} and, only where the
 * defaults do not fit, the other hooks.
 *
 * <p>Hooks are called on the test thread, before and after every test; they should be cheap.
 */
public abstract class ConformanceHooks {

  /** For subclasses. */
  protected ConformanceHooks() {}

  /**
   * The provider under test. Called once per test; return a new instance (as
   * {@link java.util.ServiceLoader} would) or a constant.
   *
   * @return the provider whose backends are tested
   */
  protected abstract BackendProvider provider();

  /**
   * The settings each test's backend is opened with.
   *
   * @return by default {@code BackendConfig.load(provider().name())}: system properties, the
   *     environment and {@code multiproc.properties}
   */
  protected BackendConfig config() {
    return BackendConfig.load(provider().name());
  }

  /**
   * Whether {@link dev.multiproc.Worker#pid()} reports the pid of a child process.
   *
   * @return false by default (thread backends); the process backend returns true
   */
  protected boolean workersHavePids() {
    return false;
  }

  /**
   * Whether the backend ships objects: tasks, functions, initializers, items, results, exceptions
   * and queue items are serialized on their way to or from a worker (child processes, cluster
   * members). The kit then also checks what happens when such an object cannot be written or read
   * back ({@link PythonParityConformance}); backends that hand objects over by reference skip
   * those tests.
   *
   * @return false by default (in-JVM backends); the process backend returns true
   */
  protected boolean shipsObjects() {
    return false;
  }

  /**
   * Whether a task must be serializable on this backend: the {@link ExecutorServiceConformance}
   * then expects a task that is not to be refused with {@link dev.multiproc.NotShippableException},
   * and otherwise to run. True where objects are shipped, and on an in-JVM backend that checks
   * shippability ({@code check-shippable}) without shipping.
   *
   * @return {@link #shipsObjects()} by default
   */
  protected boolean shipsWork() {
    return shipsObjects();
  }

  /**
   * A factor for the item counts of the tests that move many items (many producers and
   * consumers, big maps). Raise it to stress a fast backend; the defaults are sized so that a
   * backend whose workers are child JVMs finishes the kit in reasonable time.
   *
   * @return at least 1; 1 by default
   */
  protected int scale() {
    return 1;
  }

  /**
   * The longest the kit waits for anything that should happen (a result, a worker ending, an
   * event): well above any expected latency, so that only a hang fails on it. It also bounds the
   * wait for threads and processes to be gone after {@link Backend#close()}.
   *
   * @return 30 seconds by default
   */
  protected Duration patience() {
    return Duration.ofSeconds(30);
  }

  /**
   * Extra backend-specific checks that nothing is left running, called after each test once the
   * test's backend is {@linkplain Backend#close() closed} and the kit's own checks passed (no new
   * live platform thread, no new descendant process). Throw an {@link AssertionError} on a leak;
   * poll with a deadline if the condition takes time to settle. Example: a virtual-thread backend
   * counts its live virtual threads, which the kit cannot see.
   *
   * @param closed the closed backend of the test
   * @throws Exception if the check cannot run
   */
  protected void assertNothingLeft(Backend closed) throws Exception {}

  /**
   * Whether a thread that appeared during a test belongs to the JDK or the test harness rather
   * than to the backend, and is therefore not a leak. The default recognises, precisely: the
   * JDK's {@code process reaper}, {@code Common-Cleaner}, {@code Attach Listener}, JFR threads,
   * the virtual-thread scheduler's carriers, unparker, unblocker and timer, the common
   * {@code ForkJoinPool}'s workers and timer, JUnit's timeout threads and Surefire's fork threads;
   * by class, exact name or documented prefix. Override only to add threads
   * that provably are not the backend's (and call {@code super}).
   *
   * @param thread a live platform thread that did not exist before the test
   * @return true to ignore it
   */
  protected boolean isInfrastructureThread(Thread thread) {
    return LeakCheck.isJdkOrHarnessThread(thread);
  }
}
