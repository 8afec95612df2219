package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.multiproc.Backend;
import dev.multiproc.Multiproc;
import dev.multiproc.spi.BackendProvider;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * How a backend plugs in: its provider is registered for {@link ServiceLoader}, follows the naming
 * convention, is cheap to construct and query (starts no thread, no process), has the priority
 * API.md gives its name, and opens independent backends of its name.
 */
public abstract class SelectionConformance extends ConformanceSuite {

  /** For a backend that runs this suite alone: override {@link #provider()}. */
  protected SelectionConformance() {}

  SelectionConformance(ConformanceHooks kit) {
    super(kit);
  }

  @Test
  @DisplayName("ServiceLoader finds the provider, a public class with a public no-argument constructor")
  void serviceLoaderFindsProvider() throws Exception {
    Class<? extends BackendProvider> type = provider().getClass();
    assertThat(Modifier.isPublic(type.getModifiers())).as("%s is public", type.getName()).isTrue();
    assertThat(Modifier.isPublic(type.getConstructor().getModifiers())).as("its no-argument constructor is public").isTrue();
    List<Class<? extends BackendProvider>> found = ServiceLoader.load(BackendProvider.class, type.getClassLoader())
        .stream().map(ServiceLoader.Provider::type).toList();
    assertThat(found).as("providers listed in META-INF/services/%s", BackendProvider.class.getName()).contains(type);
  }

  @Test
  @DisplayName("Multiproc.availableBackends() lists the provider's name")
  void availableBackendsListsName() {
    assertThat(Multiproc.availableBackends()).contains(provider().name());
  }

  @Test
  @DisplayName("the name is lower case, words separated by '-', the same every time")
  void nameFollowsConvention() throws Exception {
    String name = provider().name();
    assertThat(name).matches("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    assertThat(provider().getClass().getConstructor().newInstance().name()).isEqualTo(name);
  }

  @Test
  @DisplayName("the priority is the same every time, and Multiproc.providers() reports it with the provider's class")
  void priorityIsStableAndReported() throws Exception {
    BackendProvider provider = provider();
    int priority = provider.priority();
    assertThat(provider.priority()).isEqualTo(priority);
    assertThat(provider.getClass().getConstructor().newInstance().priority()).isEqualTo(priority);
    assertThat(Multiproc.providers())
        .filteredOn(info -> info.name().equals(provider.name()))
        .singleElement()
        .satisfies(info -> {
          assertThat(info.priority()).isEqualTo(priority);
          assertThat(info.provider()).isEqualTo(provider.getClass().getName());
        });
  }

  @Test
  @DisplayName("constructing the provider and calling name() and priority() starts no thread and no process")
  void providerIsCheapUntilOpened() throws Exception {
    Class<? extends BackendProvider> type = provider().getClass();
    LeakCheck before = LeakCheck.snapshot();
    BackendProvider fresh = type.getConstructor().newInstance();
    fresh.name();
    fresh.priority();
    ServiceLoader.load(BackendProvider.class, type.getClassLoader()).stream()
        .filter(p -> p.type() == type)
        .map(ServiceLoader.Provider::get)
        .forEach(p -> {
          p.name();
          p.priority();
        });
    assertThat(before.newThreads(this::isInfrastructureThread)).as("threads started").isEmpty();
    assertThat(before.newProcesses()).as("processes started").isEmpty();
  }

  @Test
  @DisplayName("open() gives a new, independent backend of the provider's name")
  void openGivesIndependentBackend() {
    assertThat(backend().name()).isEqualTo(provider().name());
    Backend other = provider().open(config());
    try {
      assertThat(other).isNotSameAs(backend());
      assertThat(other.name()).isEqualTo(provider().name());
    } finally {
      other.close();
    }
    assertThatIllegalStateException().isThrownBy(other::newEvent);
    assertThat(backend().newEvent().isSet()).as("an event of the backend that is still open").isFalse();
  }
}
