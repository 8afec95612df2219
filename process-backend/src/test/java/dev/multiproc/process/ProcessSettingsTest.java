package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.spi.BackendConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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

  @Test
  void childrenReflectThroughNativeAccessorsUnlessTheUserSaysOtherwiseLater() {
    List<String> c = command(null);
    assertThat(c).contains("-Djdk.reflect.useNativeAccessorOnly=true");
    List<String> own = command("-Djdk.reflect.useNativeAccessorOnly=false");
    // the JVM takes the last -D of a name: the user's comes after the default
    assertThat(own.lastIndexOf("-Djdk.reflect.useNativeAccessorOnly=false"))
        .isGreaterThan(own.indexOf("-Djdk.reflect.useNativeAccessorOnly=true"));
  }

  @Test
  void onlyAChildThatRecordsWithTheFlightRecorderExitsThroughItsShutdownHooks() {
    String exitHooks = "-D" + ProcessSettings.EXIT_HOOKS_PROPERTY + "=true";
    assertThat(command(null)).doesNotContain(exitHooks);
    assertThat(command("-Xmx256m")).doesNotContain(exitHooks);
    assertThat(command("-XX:StartFlightRecording=filename=child-%p.jfr")).contains(exitHooks);
    assertThat(command("-XX:StartFlightRecording")).contains(exitHooks);
  }

  /** A setting the provider does not declare is reported as "not a multiproc setting and ignored". */
  @Test
  void everySettingTheReadmeDocumentsIsDeclared() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    var documented = Pattern.compile("\\| `multiproc\\.process\\.([a-z-]+)` \\|").matcher(readme).results()
        .map(r -> r.group(1)).collect(Collectors.toSet());
    assertThat(documented).contains("java", "spares", "shared-memory");
    assertThat(new ProcessBackendProvider().options()).containsExactlyInAnyOrderElementsOf(documented);
  }
}
