package dev.multiproc.process;

import dev.multiproc.spi.BackendProvider;
import dev.multiproc.tck.MultiprocConformanceKit;

/** The whole conformance kit, with every worker in a child JVM. */
class ProcessConformanceTest extends MultiprocConformanceKit {

  @Override
  protected BackendProvider provider() {
    return new ProcessBackendProvider();
  }

  @Override
  protected boolean workersHavePids() {
    return true;
  }

  @Override
  protected boolean shipsWork() {
    return true;
  }
}
