package dev.multiproc;

import com.google.common.testing.NullPointerTester;
import dev.multiproc.spi.BackendConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every public static factory, builder method and constructor of the API refuses a {@code null}
 * argument with {@link NullPointerException} before it does anything else: {@code Multiproc}'s
 * statics before they look for a backend (there is none on this module's class path, so one that
 * looked first would throw {@link BackendNotFoundException} instead). The handles each backend
 * gives out are checked by the conformance kit ({@code HandleContractConformance}).
 */
class NullArgumentsTest {

  private static NullPointerTester tester() {
    NullPointerTester t = new NullPointerTester();
    t.setDefault(Duration.class, Duration.ofSeconds(1));
    t.setDefault(PoolOptions.class, PoolOptions.defaults());
    t.setDefault(WorkerOptions.class, WorkerOptions.defaults());
    t.setDefault(Task.class, (Task) () -> {});
    t.setDefault(String.class, "thread");
    t.setDefault(Map.class, Map.of());
    return t;
  }

  @Test
  void multiprocsStaticsRefuseNullsBeforeLookingForABackend() {
    tester().testAllPublicStaticMethods(Multiproc.class);
  }

  @Test
  void optionsBuildersRefuseNulls() {
    NullPointerTester t = tester();
    t.testAllPublicStaticMethods(PoolOptions.class);
    t.testAllPublicInstanceMethods(PoolOptions.builder());
    t.testAllPublicInstanceMethods(PoolOptions.defaults());
    t.testAllPublicStaticMethods(WorkerOptions.class);
    t.testAllPublicInstanceMethods(WorkerOptions.builder());
    t.testAllPublicInstanceMethods(WorkerOptions.defaults());
  }

  @Test
  void aPipeNeedsBothEnds() {
    tester().testAllPublicConstructors(Pipe.class);
  }

  @Test
  void backendConfigRefusesNulls() throws Exception {
    NullPointerTester t = tester();
    t.testAllPublicStaticMethods(BackendConfig.class);
    BackendConfig config = BackendConfig.of("thread", Map.of());
    // getString and getDuration take a default that may be anything the caller wants back, null included.
    for (java.lang.reflect.Method m : BackendConfig.class.getMethods()) {
      if (java.lang.reflect.Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
        continue;
      }
      if (!(m.getName().equals("getString") || m.getName().equals("getDuration"))) {
        t.testMethod(config, m);
      }
    }
    t.testMethodParameter(config, BackendConfig.class.getMethod("getString", String.class, String.class), 0);
    t.testMethodParameter(config, BackendConfig.class.getMethod("getDuration", String.class, Duration.class), 0);
  }
}
