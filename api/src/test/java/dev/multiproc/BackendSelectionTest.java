package dev.multiproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.spi.BackendConfig;
import dev.multiproc.spi.BackendConfig.Setting;
import dev.multiproc.spi.BackendProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every rule of API.md's "Backend selection", with fake providers and a fake configuration. */
class BackendSelectionTest {

  private static final String ALL_ARTIFACTS = "dev.multiproc:multiproc-thread-backend (platform threads), "
      + "dev.multiproc:multiproc-virtual-thread-backend (virtual threads), "
      + "dev.multiproc:multiproc-process-backend (child JVMs), "
      + "dev.multiproc:multiproc-hazelcast-backend (a Hazelcast cluster).";

  /** A provider that only has a name and a priority; opening it is a test failure. */
  record FakeProvider(String name, int priority) implements BackendProvider {
    @Override
    public Backend open(BackendConfig config) {
      throw new AssertionError("selection must not open a provider");
    }
  }

  /** A second provider class, for two classes claiming one name. */
  record OtherFakeProvider(String name, int priority) implements BackendProvider {
    @Override
    public Backend open(BackendConfig config) {
      throw new AssertionError("selection must not open a provider");
    }
  }

  private static BackendSelection.Providers providers(BackendProvider... providers) {
    return BackendSelection.Providers.of(Arrays.asList(providers), List.of());
  }

  private static BackendSelection.Providers shipped() {
    return providers(new FakeProvider("thread", 10), new FakeProvider("virtual-thread", 20),
        new FakeProvider("process", -1), new FakeProvider("hazelcast", -1));
  }

  /** A configuration where nothing is set. */
  private static Optional<Setting> nothing(String key) {
    return Optional.empty();
  }

  /** A configuration where {@code multiproc.backend} is {@code value}, from {@code source}. */
  private static Function<String, Optional<Setting>> configured(String value, String source) {
    return key -> key.equals("multiproc.backend") ? Optional.of(new Setting(key, value, source)) : Optional.empty();
  }

  @Nested
  @DisplayName("a configured name wins")
  class Configured {

    @Test
    void systemPropertyNamesTheBackend() {
      var choice = BackendSelection.chooseDefault(shipped(), configured("thread", "system property"));
      assertThat(choice.provider().name()).isEqualTo("thread");
      assertThat(choice.reason()).isEqualTo("chosen by multiproc.backend=thread (system property)");
    }

    @Test
    void environmentVariableNamesTheBackend() {
      var choice = BackendSelection.chooseDefault(shipped(),
          configured("process", "environment variable MULTIPROC_BACKEND"));
      assertThat(choice.provider().name()).as("a negative priority does not matter when configured").isEqualTo("process");
      assertThat(choice.reason()).isEqualTo("chosen by multiproc.backend=process (environment variable MULTIPROC_BACKEND)");
    }

    @Test
    void propertiesFileNamesTheBackend() {
      var choice = BackendSelection.chooseDefault(shipped(),
          configured("hazelcast", "multiproc.properties at file:/app/multiproc.properties"));
      assertThat(choice.provider().name()).isEqualTo("hazelcast");
      assertThat(choice.reason()).isEqualTo("chosen by multiproc.backend=hazelcast (multiproc.properties at file:/app/multiproc.properties)");
    }

    @Test
    void onlyTheBackendKeyIsConsulted() {
      var asked = new java.util.ArrayList<String>();
      BackendSelection.chooseDefault(shipped(), key -> {
        asked.add(key);
        return Optional.empty();
      });
      assertThat(asked).containsExactly("multiproc.backend");
    }
  }

  @Nested
  @DisplayName("without configuration")
  class Unconfigured {

    @Test
    void theOnlyProviderIsChosenWhateverItsPriority() {
      var choice = BackendSelection.chooseDefault(providers(new FakeProvider("process", -1)), BackendSelectionTest::nothing);
      assertThat(choice.provider().name()).isEqualTo("process");
      assertThat(choice.reason()).isEqualTo("the only backend on the class path");
    }

    @Test
    void theHighestPriorityOfAtLeastZeroIsChosen() {
      var choice = BackendSelection.chooseDefault(shipped(), BackendSelectionTest::nothing);
      assertThat(choice.provider().name()).isEqualTo("virtual-thread");
      assertThat(choice.reason()).isEqualTo("the highest priority (20) among "
          + "[hazelcast, process, thread, virtual-thread]; set multiproc.backend to choose another");
    }

    @Test
    void negativePrioritiesAreNeverChosenNextToAnotherBackend() {
      var choice = BackendSelection.chooseDefault(
          providers(new FakeProvider("process", -1), new FakeProvider("thread", 10), new FakeProvider("hazelcast", -1)),
          BackendSelectionTest::nothing);
      assertThat(choice.provider().name()).isEqualTo("thread");
      assertThat(choice.reason()).isEqualTo("the highest priority (10) among [hazelcast, process, thread]; "
          + "set multiproc.backend to choose another");
    }

    @Test
    void priorityZeroCountsAsChoosable() {
      var choice = BackendSelection.chooseDefault(
          providers(new FakeProvider("process", -1), new FakeProvider("custom", 0)), BackendSelectionTest::nothing);
      assertThat(choice.provider().name()).isEqualTo("custom");
    }

    @Test
    void equalPrioritiesAreBrokenByName() {
      var choice = BackendSelection.chooseDefault(
          providers(new FakeProvider("zeta", 5), new FakeProvider("alpha", 5), new FakeProvider("mid", 5)),
          BackendSelectionTest::nothing);
      assertThat(choice.provider().name()).as("ties go to the alphabetically first name").isEqualTo("alpha");
    }

    @Test
    void onlyNegativePrioritiesIsAnError() {
      assertThatThrownBy(() -> BackendSelection.chooseDefault(
              providers(new FakeProvider("process", -1), new FakeProvider("hazelcast", -1)), BackendSelectionTest::nothing))
          .isExactlyInstanceOf(BackendNotFoundException.class)
          .hasMessage("No backend is configured and none can be chosen by itself: [hazelcast, process] have negative "
              + "priorities (backends that start processes or join clusters), so multiproc uses them only when asked. "
              + "Set multiproc.backend to one of them: -Dmultiproc.backend=<name>, the environment variable "
              + "MULTIPROC_BACKEND, or multiproc.backend=<name> in multiproc.properties.");
    }

    @Test
    void noProviderIsAnError() {
      assertThatThrownBy(() -> BackendSelection.chooseDefault(providers(), BackendSelectionTest::nothing))
          .isExactlyInstanceOf(BackendNotFoundException.class)
          .hasMessage("No multiproc backend is on the class path. Add one next to multiproc-api: " + ALL_ARTIFACTS);
    }

    @Test
    void noProviderNamesTheProvidersThatFailedToLoad() {
      var broken = BackendSelection.Providers.of(List.of(), List.of("Provider com.example.Broken not found"));
      assertThatThrownBy(() -> BackendSelection.chooseDefault(broken, BackendSelectionTest::nothing))
          .hasMessage("No multiproc backend is on the class path. Add one next to multiproc-api: " + ALL_ARTIFACTS
              + " Providers that failed to load: [Provider com.example.Broken not found].");
    }
  }

  @Nested
  @DisplayName("a name that matches no provider")
  class UnknownName {

    @Test
    void typoFromSystemPropertySuggestsTheClosestName() {
      assertThatThrownBy(() -> BackendSelection.chooseDefault(shipped(), configured("procss", "system property")))
          .isExactlyInstanceOf(BackendNotFoundException.class)
          .hasMessage("multiproc.backend=procss (system property) matches no backend. "
              + "Available: [hazelcast, process, thread, virtual-thread]. Did you mean \"process\"?");
    }

    @Test
    void typoFromEnvironment() {
      assertThatThrownBy(() -> BackendSelection.chooseDefault(shipped(),
              configured("virtual_thread", "environment variable MULTIPROC_BACKEND")))
          .hasMessage("multiproc.backend=virtual_thread (environment variable MULTIPROC_BACKEND) matches no backend. "
              + "Available: [hazelcast, process, thread, virtual-thread]. Did you mean \"virtual-thread\"?");
    }

    @Test
    void typoFromPropertiesFile() {
      assertThatThrownBy(() -> BackendSelection.chooseDefault(shipped(),
              configured("Thread", "multiproc.properties at file:/app/multiproc.properties")))
          .hasMessage("multiproc.backend=Thread (multiproc.properties at file:/app/multiproc.properties) matches no "
              + "backend. Available: [hazelcast, process, thread, virtual-thread]. Did you mean \"thread\"?");
    }

    @Test
    void typoFromCode() {
      assertThatThrownBy(() -> BackendSelection.named(shipped(), "hazlecast", "Multiproc.backend(\"hazlecast\")"))
          .isExactlyInstanceOf(BackendNotFoundException.class)
          .hasMessage("Multiproc.backend(\"hazlecast\") matches no backend. "
              + "Available: [hazelcast, process, thread, virtual-thread]. Did you mean \"hazelcast\"?");
    }

    @Test
    void nameFarFromEveryProviderGetsNoSuggestion() {
      assertThatThrownBy(() -> BackendSelection.named(shipped(), "gpu", "Multiproc.backend(\"gpu\")"))
          .hasMessage("Multiproc.backend(\"gpu\") matches no backend. "
              + "Available: [hazelcast, process, thread, virtual-thread].");
    }

    @Test
    void knownBackendNotOnTheClassPathNamesItsArtifact() {
      var threadsOnly = providers(new FakeProvider("thread", 10), new FakeProvider("virtual-thread", 20));
      assertThatThrownBy(() -> BackendSelection.chooseDefault(threadsOnly, configured("process", "system property")))
          .isExactlyInstanceOf(BackendNotFoundException.class)
          .hasMessage("multiproc.backend=process (system property) matches no backend. Available: [thread, virtual-thread]. "
              + "To use \"process\", add the artifact dev.multiproc:multiproc-process-backend to the class path.");
      assertThatThrownBy(() -> BackendSelection.named(threadsOnly, "hazelcast", "Multiproc.backend(\"hazelcast\")"))
          .hasMessage("Multiproc.backend(\"hazelcast\") matches no backend. Available: [thread, virtual-thread]. "
              + "To use \"hazelcast\", add the artifact dev.multiproc:multiproc-hazelcast-backend to the class path.");
    }

    @Test
    void typoOfAShippedBackendThatIsNotOnTheClassPathNamesItsArtifact() {
      var threadOnly = providers(new FakeProvider("thread", 10));
      assertThatThrownBy(() -> BackendSelection.chooseDefault(threadOnly, configured("procss", "system property")))
          .hasMessage("multiproc.backend=procss (system property) matches no backend. Available: [thread]. "
              + "Did you mean \"process\"? To use it, add the artifact dev.multiproc:multiproc-process-backend to the "
              + "class path.");
    }

    @Test
    void unknownNameAlsoNamesTheProvidersThatFailedToLoad() {
      var withFailure = BackendSelection.Providers.of(List.of(new FakeProvider("thread", 10)),
          List.of("dev.multiproc.spi.BackendProvider: Provider com.example.Gpu not found"));
      assertThatThrownBy(() -> BackendSelection.named(withFailure, "gpu", "Multiproc.backend(\"gpu\")"))
          .hasMessage("Multiproc.backend(\"gpu\") matches no backend. Available: [thread]. Providers that failed to "
              + "load: [dev.multiproc.spi.BackendProvider: Provider com.example.Gpu not found].");
    }

    @Test
    void configuredNameWithNoProviderAtAll() {
      assertThatThrownBy(() -> BackendSelection.chooseDefault(providers(), configured("thread", "system property")))
          .isExactlyInstanceOf(BackendNotFoundException.class)
          .hasMessage("multiproc.backend=thread (system property), but no multiproc backend is on the "
              + "class path. Add one next to multiproc-api: " + ALL_ARTIFACTS);
    }

    @Test
    void theConfiguredNameIsUsedExactly() {
      var found = BackendSelection.named(shipped(), "thread", "Multiproc.backend(\"thread\")");
      assertThat(found.name()).isEqualTo("thread");
    }
  }

  @Nested
  @DisplayName("the providers on the class path")
  class ProviderSet {

    @Test
    void twoProvidersWithOneNameIsAnError() {
      String location = FakeProvider.class.getProtectionDomain().getCodeSource().getLocation().toString();
      assertThatThrownBy(() -> providers(new FakeProvider("thread", 10), new OtherFakeProvider("thread", 5)))
          .isExactlyInstanceOf(BackendNotFoundException.class)
          .hasMessage("Two backend providers declare the name \"thread\": "
              + "dev.multiproc.BackendSelectionTest$FakeProvider (" + location + ") and "
              + "dev.multiproc.BackendSelectionTest$OtherFakeProvider (" + location + "). "
              + "Keep only one of them on the class path.");
    }

    @Test
    void namesAreSorted() {
      assertThat(shipped().names()).containsExactly("hazelcast", "process", "thread", "virtual-thread");
    }

    @Test
    void loadFindsRegisteredProvidersAndReportsBrokenEntries(@TempDir Path dir) throws IOException {
      Path services = dir.resolve("META-INF/services");
      Files.createDirectories(services);
      Files.writeString(services.resolve(BackendProvider.class.getName()),
          "dev.multiproc.BackendSelectionTest$Registered\ncom.example.DoesNotExist\n");
      Logger log = Logger.getLogger("dev.multiproc"); // the failure is logged as a WARNING: keep the build log clean
      Level level = log.getLevel();
      log.setLevel(Level.OFF);
      try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
        var loaded = BackendSelection.Providers.load(loader);
        assertThat(loaded.names()).containsExactly("registered");
        assertThat(loaded.failures()).singleElement().asString().contains("com.example.DoesNotExist");
      } finally {
        log.setLevel(level);
      }
    }

    @Test
    void nothingIsRegisteredOnTheApiClassPath() {
      assertThat(Multiproc.availableBackends()).isEmpty();
    }
  }

  /** Registered through a temporary META-INF/services file by one test. */
  public static final class Registered implements BackendProvider {
    /** For ServiceLoader. */
    public Registered() {}

    @Override
    public String name() {
      return "registered";
    }

    @Override
    public int priority() {
      return 0;
    }

    @Override
    public Backend open(BackendConfig config) {
      throw new AssertionError("not opened");
    }
  }
}
