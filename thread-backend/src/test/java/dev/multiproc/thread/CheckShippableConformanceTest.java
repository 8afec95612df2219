package dev.multiproc.thread;

import dev.multiproc.spi.BackendConfig;
import dev.multiproc.spi.BackendProvider;
import dev.multiproc.tck.MultiprocConformanceKit;
import java.util.Map;

/**
 * The whole kit on the thread backend with {@code multiproc.thread.check-shippable=true}: the
 * check refuses nothing that the process backend can send (the kit's tasks all travel there).
 */
class CheckShippableConformanceTest extends MultiprocConformanceKit {

  @Override
  protected BackendProvider provider() {
    return new ThreadBackendProvider();
  }

  @Override
  protected BackendConfig config() {
    return BackendConfig.of(ThreadBackendProvider.NAME, Map.of("check-shippable", "true"));
  }

  @Override
  protected boolean shipsWork() {
    return true; // a task that cannot be serialized is refused, as on process
  }
}
