package dev.multiproc.examples;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** This test JVM's class path, cut into the multiproc modules on it, for tests that start JVMs. */
final class ClassPaths {

  static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  private ClassPaths() {}

  /** @return every entry of this JVM's class path */
  static List<Path> entries() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(s -> !s.isEmpty()).map(Path::of).toList();
  }

  /**
   * @param module a module directory name, such as {@code api} or {@code thread-backend}
   * @return true if {@code entry} is that module's output: {@code <module>/target/...} in the
   *     reactor, or its jar from a repository
   */
  static boolean isModule(Path entry, String module) {
    String s = entry.toAbsolutePath().toString().replace('\\', '/');
    return s.contains("/" + module + "/target/") || entry.getFileName().toString().startsWith("multiproc-" + module + "-");
  }

  /** @return the entry of {@code module} */
  static Path module(String module) {
    return entries().stream().filter(e -> isModule(e, module)).findFirst()
        .orElseThrow(() -> new AssertionError(module + " is not on the test class path: " + entries()));
  }

  /** @return the class path as a string */
  static String join(List<Path> entries) {
    return String.join(File.pathSeparator, entries.stream().map(Path::toString).toList());
  }

  /** The output and exit code of a finished JVM. */
  record Run(int exitCode, String out) {}

  /** Runs {@code command} (stderr merged), with no multiproc configuration in its environment. */
  static Run run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(command);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("MULTIPROC_"));
    Process p = pb.start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        throw new AssertionError("timed out: " + cmd);
      }
      return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
      p.onExit().join();
    }
  }
}
