package dev.multiproc;

import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The entry point's selection on the api module's own class path, where no backend is: the
 * messages a user sees. Opens nothing, so no shared backend is created.
 */
class MultiprocTest {

  private static final String ADD_ONE = "Add one next to multiproc-api: "
      + "dev.multiproc:multiproc-thread-backend (platform threads), "
      + "dev.multiproc:multiproc-virtual-thread-backend (virtual threads), "
      + "dev.multiproc:multiproc-process-backend (child JVMs), "
      + "dev.multiproc:multiproc-hazelcast-backend (a Hazelcast cluster).";

  @Test
  void namedBackendSaysItCameFromCode() {
    assertThatThrownBy(() -> Multiproc.backend("procss"))
        .isExactlyInstanceOf(BackendNotFoundException.class)
        .hasMessage("Multiproc.backend(\"procss\"), but no multiproc backend is on the class path. " + ADD_ONE);
    assertThatNullPointerException().isThrownBy(() -> Multiproc.backend(null));
  }

  @Test
  void defaultBackendSaysWhereTheNameCameFrom() {
    String old = System.getProperty("multiproc.backend");
    System.setProperty("multiproc.backend", " procss ");
    try {
      assertThatThrownBy(Multiproc::backend)
          .isExactlyInstanceOf(BackendNotFoundException.class)
          .hasMessage("multiproc.backend=procss (system property), but no multiproc backend is on the class path. " + ADD_ONE);
      assertThatThrownBy(Multiproc::queue).as("the factory methods use the default backend")
          .isExactlyInstanceOf(BackendNotFoundException.class);
    } finally {
      if (old == null) {
        System.clearProperty("multiproc.backend");
      } else {
        System.setProperty("multiproc.backend", old);
      }
    }
  }
}
