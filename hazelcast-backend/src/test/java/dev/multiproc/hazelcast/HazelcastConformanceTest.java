package dev.multiproc.hazelcast;

import dev.multiproc.spi.BackendProvider;
import dev.multiproc.tck.MultiprocConformanceKit;

/** The whole conformance kit on an embedded one-member cluster, a fresh member per test. */
class HazelcastConformanceTest extends MultiprocConformanceKit {

  @Override
  protected BackendProvider provider() {
    return new HazelcastBackendProvider();
  }

  /**
   * A running Hazelcast instance starts pool threads ({@code hz.<instance>.cached.thread-N}) lazily,
   * at any time: those of an instance still running are not a leak (the checks made after a
   * backend is closed still count them, its instance being shut down by then).
   */
  @Override
  protected boolean isInfrastructureThread(Thread thread) {
    if (super.isInfrastructureThread(thread)) {
      return true;
    }
    for (com.hazelcast.core.HazelcastInstance hz : com.hazelcast.core.Hazelcast.getAllHazelcastInstances()) {
      if (thread.getName().startsWith("hz." + hz.getName() + ".")) {
        return true;
      }
    }
    return false;
  }

  /** Everything travels serialized, even to the member in this JVM. */
  @Override
  protected boolean shipsObjects() {
    return true;
  }
}
