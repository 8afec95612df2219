package dev.multiproc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.spi.BackendConfig;
import dev.multiproc.spi.BackendProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Misspelt keys are reported with the key that was probably meant; correct ones are not. */
class ConfigCheckTest {

  /** A provider that declares its options, as the shipped ones do. */
  private record Declaring(String name, Set<String> options) implements BackendProvider {
    @Override
    public int priority() {
      return 0;
    }

    @Override
    public Backend open(BackendConfig config) {
      throw new UnsupportedOperationException();
    }
  }

  private static final List<BackendProvider> PROVIDERS = List.of(
      new Declaring("process", Set.of("java", "jvm-options", "class-path")),
      new Declaring("thread", Set.of("shutdown-timeout")));

  @Test
  void misspeltKeysNameTheKeyMeant() {
    List<String> m = ConfigCheck.unknown(Map.of(
        "multiproc.backends", "system property",
        "multiproc.process.jvm-option", "multiproc.properties at file:/app/multiproc.properties"), List.of(), PROVIDERS);
    assertThat(m).containsExactlyInAnyOrder(
        "multiproc.backends (system property) is not a multiproc setting and is ignored; did you mean multiproc.backend?",
        "multiproc.process.jvm-option (multiproc.properties at file:/app/multiproc.properties) is not a multiproc setting"
            + " and is ignored; did you mean multiproc.process.jvm-options?");
  }

  @Test
  void knownKeysAndKeysOfAbsentOrUndeclaredBackendsPass() {
    assertThat(ConfigCheck.unknown(Map.of(
        "multiproc.backend", "system property",
        "multiproc.verbose", "system property",
        "multiproc.process.jvm-options", "system property",
        "multiproc.hazelcast.members", "system property"), // a shipped backend not on the class path
        List.of("MULTIPROC_PROCESS_CLASS_PATH", "MULTIPROC_BACKEND"), PROVIDERS)).isEmpty();
  }

  @Test
  void misspeltEnvironmentVariablesAndFarOffKeys() {
    List<String> m = ConfigCheck.unknown(Map.of("multiproc.colour", "system property"),
        List.of("MULTIPROC_PROCES_JAVA"), PROVIDERS);
    assertThat(m).containsExactly(
        "multiproc.colour (system property) is not a multiproc setting and is ignored.",
        "the environment variable MULTIPROC_PROCES_JAVA is not a multiproc setting and is ignored;"
            + " did you mean MULTIPROC_PROCESS_JAVA?");
  }
}
