package dev.multiproc.launchtest;

import dev.multiproc.Multiproc;
import dev.multiproc.Pool;
import java.util.List;

/**
 * An application as a user writes it, for {@code LaunchersIT}: maps a lambda of its own class on
 * the default backend (the test sets {@code multiproc.backend=process}), so each child must load
 * this class, and prints {@code RESULT <list> <pids>}. In a package of its own so it can be a
 * module of its own on the module path.
 */
public final class ClassPathApp {

  private ClassPathApp() {}

  public static void main(String[] args) {
    try (Pool pool = Multiproc.pool(2)) {
      List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3, 4));
      List<Long> pids = pool.map(x -> ProcessHandle.current().pid(), List.of(1, 2, 3, 4), 1);
      boolean inChildren = pids.stream().noneMatch(p -> p == ProcessHandle.current().pid());
      System.out.println("RESULT " + squares + " " + (inChildren ? "in-children" : "in-parent"));
    }
  }
}
