package dev.multiproc.examples;

import dev.multiproc.BackendInfo;
import dev.multiproc.BackendNotFoundException;
import dev.multiproc.Multiproc;
import dev.multiproc.Pool;
import java.util.List;

/**
 * Run in a fresh JVM by {@link BackendChoiceIT} and {@link ModulePathIT}: prints the providers, the
 * default choice, and (with {@code map}) a small map on it.
 */
public final class PrintChoice {

  private PrintChoice() {}

  /**
   * @param args {@code map} to also run a map on the chosen backend
   */
  public static void main(String[] args) {
    System.out.println("providers: " + Multiproc.providers().stream().map(BackendInfo::name).sorted().toList());
    try {
      System.out.println("choice: " + Multiproc.defaultChoice().name());
    } catch (BackendNotFoundException e) {
      System.out.println("choice: none (" + e.getMessage() + ")");
      return;
    }
    Module api = Multiproc.class.getModule();
    System.out.println("api module: " + api.getName());
    if (api.isNamed()) {
      ModuleLayer.boot().findModule("dev.multiproc.engine").ifPresent(engine ->
          System.out.println("engine exported to users: " + engine.isExported("dev.multiproc.engine")));
    }
    if (args.length > 0 && args[0].equals("map")) {
      try (Pool pool = Multiproc.pool(2)) {
        List<Integer> out = pool.map(x -> x * 10, List.of(1, 2, 3));
        System.out.println("map: " + out + " on " + Multiproc.backend().name());
      }
    }
  }
}
