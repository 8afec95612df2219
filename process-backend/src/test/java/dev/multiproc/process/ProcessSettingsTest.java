package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.spi.BackendConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The children's JVM defaults, and that a user's own options replace them. */
class ProcessSettingsTest {

  private static List<String> command(String jvmOptions) {
    Map<String, String> keys = jvmOptions == null ? Map.of() : Map.of("jvm-options", jvmOptions);
    return ProcessSettings.from(BackendConfig.of("process", keys)).command(List.of());
  }

  @Test
  void childrenGetTheSerialCollectorAndASmallInitialHeapByDefault() {
    assertThat(command(null)).contains(ProcessSettings.DEFAULT_GC, ProcessSettings.DEFAULT_HEAP, "-XX:+ExitOnOutOfMemoryError");
  }

  @Test
  void aUsersHeapOrCollectorOptionReplacesTheDefault() {
    for (String own : List.of("-Xmx32m", "-Xms1g", "-Xmn4m", "-XX:MaxRAMPercentage=10", "-XX:NewRatio=3")) {
      assertThat(command(own)).as(own).contains(own).doesNotContain(ProcessSettings.DEFAULT_HEAP).contains(ProcessSettings.DEFAULT_GC);
    }
    assertThat(command("-XX:+UseParallelGC")).contains("-XX:+UseParallelGC", ProcessSettings.DEFAULT_HEAP)
        .doesNotContain(ProcessSettings.DEFAULT_GC);
  }
}
