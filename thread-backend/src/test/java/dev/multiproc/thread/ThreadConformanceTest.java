package dev.multiproc.thread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Backend;
import dev.multiproc.engine.LocalBackend;
import dev.multiproc.engine.ThreadMaker;
import dev.multiproc.spi.BackendProvider;
import dev.multiproc.tck.MultiprocConformanceKit;

/** The thread backend against the whole conformance kit. */
class ThreadConformanceTest extends MultiprocConformanceKit {

  @Override
  protected BackendProvider provider() {
    return new ThreadBackendProvider();
  }

  /** Every thread the backend made, counted by its {@link ThreadMaker}, has ended. */
  @Override
  protected void assertNothingLeft(Backend closed) {
    assertThat(((LocalBackend) closed).threads().liveThreads()).as("live threads counted by the backend's ThreadMaker").isZero();
  }
}
