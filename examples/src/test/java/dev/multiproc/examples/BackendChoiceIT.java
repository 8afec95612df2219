package dev.multiproc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Multiproc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The class-path permutations a user can make: each backend alone, and each pair, with the api and
 * the engine but no configuration, in a fresh JVM. A backend alone is the one used (and runs a
 * map); a pair chooses the higher priority of at least 0, and a pair of negative priorities chooses
 * none and says why. Backends are taken from this module's class path, so one added to the pom is
 * covered here without touching this class.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BackendChoiceIT {

  /** The priorities API.md gives the shipped backends. */
  private static final Map<String, Integer> PRIORITY =
      Map.of("thread", 10, "virtual-thread", 20, "process", -1, "hazelcast", -1);

  static Stream<Arguments> permutations() {
    List<String> names = List.copyOf(Multiproc.availableBackends());
    List<Arguments> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      out.add(Arguments.of(List.of(names.get(i))));
      for (int j = i + 1; j < names.size(); j++) {
        out.add(Arguments.of(List.of(names.get(i), names.get(j))));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("permutations")
  void theChoiceFollowsTheRule(List<String> backends) throws Exception {
    List<Path> classPath = ClassPaths.entries().stream()
        .filter(e -> Multiproc.availableBackends().stream()
            .noneMatch(b -> !backends.contains(b) && ClassPaths.isModule(e, b + "-backend")))
        .toList();
    boolean alone = backends.size() == 1;
    ClassPaths.Run r = ClassPaths.run(List.of(ClassPaths.JAVA.toString(), "-cp", ClassPaths.join(classPath),
        PrintChoice.class.getName(), alone ? "map" : "-"), 300);

    assertThat(r.exitCode()).as("exit code; output:%n%s", r.out()).isZero();
    assertThat(r.out()).contains("providers: " + backends.stream().sorted().toList());
    String expected = expectedChoice(backends);
    if (expected == null) {
      assertThat(r.out()).contains("choice: none (No backend is configured and none can be chosen by itself");
    } else {
      assertThat(r.out()).contains("choice: " + expected + "\n");
    }
    if (alone) {
      assertThat(r.out()).contains("map: [10, 20, 30] on " + backends.get(0));
    }
  }

  /** The only one; else the highest priority of at least 0; else none. */
  private static String expectedChoice(List<String> backends) {
    if (backends.size() == 1) {
      return backends.get(0);
    }
    return backends.stream().filter(b -> PRIORITY.getOrDefault(b, 0) >= 0)
        .max((a, b) -> Integer.compare(PRIORITY.getOrDefault(a, 0), PRIORITY.getOrDefault(b, 0)))
        .orElse(null);
  }
}
