package dev.multiproc.virtualthread;

import dev.multiproc.Backend;
import dev.multiproc.spi.BackendConfig;
import dev.multiproc.spi.BackendProvider;
import dev.multiproc.engine.LocalBackend;
import dev.multiproc.engine.ThreadMaker;
import java.time.Duration;

/**
 * The {@code virtual-thread} backend: the {@code thread} backend's pools, queues, events and
 * workers, with every worker on a virtual thread. Priority 20, so it is the default when it is on
 * the class path next to {@code thread}. Public because {@link java.util.ServiceLoader} needs it.
 *
 * <h2>Design notes</h2>
 *
 * <ul>
 *   <li>Threading: a {@code Worker} is one virtual thread; a {@code Pool} of {@code n} is {@code n}
 *       virtual threads pulling chunks, so {@code n} bounds how many tasks run at once and costs
 *       about a kilobyte per idle worker: a pool of 10,000 for blocking tasks is reasonable. Tasks
 *       that only compute gain nothing over {@code thread}: virtual threads share one carrier per
 *       core.
 *   <li>Blocking: queues, events, joins and the pool's work queue use
 *       {@code java.util.concurrent} locks, never monitors, so a blocked worker releases its
 *       carrier on JDK 21 too; a million workers blocked in {@code Event.await()} or
 *       {@code Queue.get()} are fine (see {@code benchmarks/RESULTS.md} for time and heap). Code in
 *       a task that blocks inside {@code synchronized} (JDK 21-23) or under a native frame still
 *       pins its carrier.
 *   <li>Lifecycle: as {@code thread}. Virtual threads are always daemons, so a running
 *       non-daemon worker (the default, as Python's {@code Process}) holds one platform
 *       "keep-alive" thread that makes the JVM wait for it. Pool workers are daemons.
 *       {@code Backend.close()} terminates pools, interrupts workers, and waits for their threads.
 *   <li>Failure: {@code terminate()}, {@code kill()} and task timeouts interrupt; Java cannot
 *       stop a thread that ignores interrupts.
 * </ul>
 *
 * <p>Settings: {@code multiproc.virtual-thread.shutdown-timeout} (default {@code 10s}): how long
 * closing the backend waits for threads that ignore interrupts;
 * {@code multiproc.virtual-thread.check-shippable} (default {@code false}): {@code true} serializes every
 * task, function, initializer, item and result first and refuses, as the process backend would,
 * what cannot travel.
 */
public final class VirtualThreadBackendProvider implements BackendProvider {

  /** The backend's name. */
  public static final String NAME = "virtual-thread";

  /** Constructed by {@link java.util.ServiceLoader}; starts nothing. */
  public VirtualThreadBackendProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public java.util.Set<String> options() {
    return java.util.Set.of("shutdown-timeout", "check-shippable");
  }

  @Override
  public int priority() {
    return 20;
  }

  @Override
  public Backend open(BackendConfig config) {
    return new LocalBackend(NAME, ThreadMaker.virtual(), config.getDuration("shutdown-timeout", Duration.ofSeconds(10)),
        config.getBoolean("check-shippable", false));
  }
}
