package dev.multiproc.hazelcast;

import dev.multiproc.spi.BackendProvider;
import dev.multiproc.tck.MultiprocConformanceKit;

/** The whole conformance kit on an embedded one-member cluster, a fresh member per test. */
class HazelcastConformanceTest extends MultiprocConformanceKit {

  @Override
  protected BackendProvider provider() {
    return new HazelcastBackendProvider();
  }

  /** Everything travels serialized, even to the member in this JVM. */
  @Override
  protected boolean shipsObjects() {
    return true;
  }
}
