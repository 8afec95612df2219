package dev.multiproc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A program on the module path: the api, the engine and the in-JVM backends as named modules, the
 * program itself on the class path. ServiceLoader finds the providers through the modules'
 * {@code provides}/{@code uses}, the default is chosen as on the class path, a map runs, and the
 * engine's package is not exported to the program.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ModulePathIT {

  @Test
  void aProgramRunsWithMultiprocOnTheModulePath() throws Exception {
    List<Path> modules = List.of(ClassPaths.module("api"), ClassPaths.module("engine"),
        ClassPaths.module("thread-backend"), ClassPaths.module("virtual-thread-backend"));
    Path program = ClassPaths.entries().stream()
        .filter(e -> e.toString().replace('\\', '/').endsWith("examples/target/test-classes"))
        .findFirst().orElseThrow();

    ClassPaths.Run r = ClassPaths.run(List.of(ClassPaths.JAVA.toString(),
        "--module-path", ClassPaths.join(modules), "--add-modules", "ALL-MODULE-PATH",
        "-cp", program.toString(), PrintChoice.class.getName(), "map"), 120);

    assertThat(r.exitCode()).as("exit code; output:%n%s", r.out()).isZero();
    assertThat(r.out())
        .contains("providers: [thread, virtual-thread]")
        .contains("choice: virtual-thread\n")
        .contains("api module: dev.multiproc\n")
        .contains("engine exported to users: false")
        .contains("map: [10, 20, 30] on virtual-thread");
  }
}
