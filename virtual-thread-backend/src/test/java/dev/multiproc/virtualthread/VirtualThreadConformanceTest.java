package dev.multiproc.virtualthread;

import dev.multiproc.Backend;
import dev.multiproc.spi.BackendProvider;
import dev.multiproc.tck.MultiprocConformanceKit;
import dev.multiproc.engine.LocalBackend;

/** The virtual-thread backend against the whole conformance kit. */
class VirtualThreadConformanceTest extends MultiprocConformanceKit {

  @Override
  protected BackendProvider provider() {
    return new VirtualThreadBackendProvider();
  }

  /** The kit sees platform threads only: every virtual thread the backend made has ended too. */
  @Override
  protected void assertNothingLeft(Backend closed) {
    LocalBackend backend = (LocalBackend) closed;
    Polling.until(() -> backend.threads().liveThreads() == 0, patience(),
        () -> "the backend's threads have ended (" + backend.threads().liveThreads() + " are alive)");
  }

  /**
   * Adds two platform threads of the JDK 24+ virtual-thread scheduler, started on first use and
   * kept: the delay scheduler of its {@code ForkJoinPool} (timed parks and sleeps; the backend
   * makes no {@code ForkJoinPool}) and the {@code VirtualThread-unblocker} (JEP 491).
   */
  @Override
  protected boolean isInfrastructureThread(Thread thread) {
    String type = thread.getClass().getName();
    String name = thread.getName();
    return super.isInfrastructureThread(thread)
        || type.equals("java.util.concurrent.DelayScheduler") && name.endsWith("-delayScheduler")
        || type.equals("jdk.internal.misc.InnocuousThread") && name.equals("VirtualThread-unblocker");
  }
}
