package dev.multiproc.process;

import dev.multiproc.Backend;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.spi.BackendConfig;
import java.util.List;
import java.util.Map;

/** A program for {@link JfrChildEventsTest}: a pool's children start, run a map and exit, then {@code DONE}. */
public final class NoRecordingMain {

  private NoRecordingMain() {}

  public static void main(String[] args) throws Exception {
    try (Backend backend = new ProcessBackendProvider().open(BackendConfig.of("process", Map.of("cds", "false", "spares", "0")));
        Pool pool = backend.newPool(PoolOptions.builder().workers(1).build())) {
      System.out.println("DONE " + pool.map(x -> x * x, List.of(1, 2, 3)));
    }
  }
}
