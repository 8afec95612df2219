package dev.multiproc.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of ARCHITECTURE.md, checked on the compiled classes of every module on this
 * module's class path (api, engine, the backends, the examples): the api depends on the JDK only,
 * no backend on another, and nothing a user writes against (the api, the examples) reaches into
 * the engine.
 */
class ArchitectureTest {

  private static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.multiproc");

  private static final List<String> BACKENDS = List.of("thread", "virtualthread", "process", "hazelcast");

  @Test
  void theApiDependsOnTheJdkOnly() {
    classes().that().resideInAnyPackage("dev.multiproc", "dev.multiproc.spi")
        .should().onlyDependOnClassesThat().resideInAnyPackage("dev.multiproc", "dev.multiproc.spi", "java..")
        .check(CLASSES);
  }

  @Test
  void noBackendDependsOnAnother() {
    for (String backend : BACKENDS) {
      String[] others = BACKENDS.stream().filter(b -> !b.equals(backend)).map(b -> "dev.multiproc." + b + "..")
          .toArray(String[]::new);
      noClasses().that().resideInAPackage("dev.multiproc." + backend + "..")
          .should().dependOnClassesThat().resideInAnyPackage(others)
          .allowEmptyShould(true)
          .check(CLASSES);
    }
  }

  @Test
  void usersCodeAndTheApiNeverSeeTheEngine() {
    noClasses().that().resideInAnyPackage("dev.multiproc", "dev.multiproc.spi", "dev.multiproc.examples")
        .should().dependOnClassesThat().resideInAPackage("dev.multiproc.engine..")
        .check(CLASSES);
  }

  @Test
  void theEngineDependsOnNoBackend() {
    noClasses().that().resideInAPackage("dev.multiproc.engine..")
        .should().dependOnClassesThat().resideInAnyPackage(BACKENDS.stream().map(b -> "dev.multiproc." + b + "..")
            .toArray(String[]::new))
        .check(CLASSES);
  }
}
