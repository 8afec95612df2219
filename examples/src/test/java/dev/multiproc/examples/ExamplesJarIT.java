package dev.multiproc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Multiproc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the packaged {@code multiproc-examples.jar} in fresh JVMs, as {@code bin/run-examples} does:
 * all the examples on every backend on this module's class path (so a backend added to the pom is
 * covered without touching this class), then the launcher's configuration and errors. On the
 * process backend this proves the examples work unchanged in child JVMs started with
 * {@code java -cp <the jar>}.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ExamplesJarIT {

  private static final Path JAR = Path.of(System.getProperty("examples.jar", "target/multiproc-examples.jar"));
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  private static final long TIMEOUT_SECONDS = 180;

  @TempDir Path tmp;

  /** The output and exit code of one run of the jar. */
  record Run(int exitCode, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  static List<String> backends() {
    return List.copyOf(Multiproc.availableBackends());
  }

  @ParameterizedTest(name = "--backend {0}")
  @MethodSource("backends")
  void everyExampleRunsOnEveryBackend(String backend) throws Exception {
    Run r = run(Map.of(), List.of("-Dexamples.interval-ms=5", "-Dexamples.countdown.count=5000000"), "--backend", backend);

    assertThat(r.exitCode()).as("exit code; stderr:%n%s", r.err()).isZero();
    assertThat(r.lines().get(0)).isEqualTo("multiproc backend: " + backend + ", chosen by --backend " + backend);
    assertThat(r.lines()).filteredOn(l -> l.startsWith("== "))
        .extracting(l -> l.substring(3, l.indexOf(':')))
        .containsExactly("countdown", "pool-map", "sender-receiver", "classy", "event-stop", "shared-counter",
            "joinable-queue", "pipe-ping-pong", "imap-progress");
    assertThat(r.out())
        .containsPattern("speedup: .* \\(checksums agree: 0x[0-9a-f]+\\)")
        .contains("res: [0, 1, 2, ..., 1023]  (1024 results, each equal to its input, in order)")
        .contains("exit event set; sender stopped by itself (exit code 0)")
        .contains("all 100 items done: sum of squares 338350 (expected 338350)")
        .contains("[42, null, hello]")
        .contains("pong 4")
        .contains("imap over 200 items, progress on stderr: 200 results in input order, sum of squares 2646700");
    assertThat(r.err()).as("the progress bar on stderr, plain lines when it is a file")
        .containsPattern("(?m)^imap 100% \\[=+\\] 200/200 ").doesNotContain("\r").doesNotContain("\u001b[");
    assertThat(r.lines()).as("the shared counter").containsSubsequence("500",
        "(500, plus 5 a hundred times, minus 5 a hundred times, each under the lock: no update lost)");
    List<String> zeroToNine = IntStream.range(0, 10).mapToObj(Integer::toString).toList();
    assertThat(r.lines().stream()
        .filter(l -> l.matches("\\d") || l.startsWith("sender terminated") || l.startsWith("exit event set"))
        .map(l -> l.replaceFirst(" \\(.*", ""))
        .toList())
        .as("the three senders' output")
        .containsExactlyElementsOf(concat(zeroToNine, "sender terminated", zeroToNine, "sender terminated",
            zeroToNine, "exit event set; sender stopped by itself"));
  }

  @Test
  void clusterMapMapsAcrossTwoMemberJvms() throws Exception {
    Run r = run(Map.of(), List.of(), "cluster-map");

    assertThat(r.exitCode()).as("exit code; stderr:%n%s", r.err()).isZero();
    assertThat(r.out()).containsPattern("started 2 member JVMs \\(pids (\\d+), (\\d+)\\)");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("started 2 member JVMs \\(pids (\\d+), (\\d+)\\)").matcher(r.out());
    assertThat(m.find()).isTrue();
    List<String> results = r.lines().stream().filter(l -> l.matches("\\d+\\^2 = \\d+ on member pid \\d+")).toList();
    assertThat(results).as("one line per item, in order").hasSize(12)
        .allSatisfy(l -> assertThat(l).matches("\\d+\\^2 = \\d+ on member pid (" + m.group(1) + "|" + m.group(2) + ")"));
    assertThat(results.stream().map(l -> l.substring(l.lastIndexOf(' ') + 1)).distinct()).as("both members computed").hasSize(2);
    for (String pid : List.of(m.group(1), m.group(2))) {
      assertThat(ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false)).as("member %s still alive", pid).isFalse();
    }
  }

  @Test
  void helpListsExamplesAndBackends() throws Exception {
    Run r = run(Map.of(), List.of(), "--help");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("Usage: bin/run-examples [--backend <name>] [<example>...]");
    for (Examples.Example e : Examples.ALL) {
      assertThat(r.out()).contains("  " + e.name() + " ");
    }
    for (String b : Multiproc.availableBackends()) {
      assertThat(r.out()).containsPattern("(?m)^  " + b + " +-?\\d+$");
    }
    assertThat(r.out()).containsPattern("(?m)^Selected: \\S+, ");
  }

  @Test
  void theBackendCanComeFromASystemPropertyOrTheEnvironment() throws Exception {
    Run bySystemProperty = run(Map.of(), List.of("-Dmultiproc.backend=thread"), "pool-map");
    Run byEnvironment = run(Map.of("MULTIPROC_BACKEND", "thread"), List.of(), "pool-map");

    assertThat(bySystemProperty.exitCode()).as(bySystemProperty.err()).isZero();
    assertThat(bySystemProperty.lines().get(0)).isEqualTo("multiproc backend: thread, chosen by multiproc.backend=thread (system property)");
    assertThat(byEnvironment.exitCode()).as(byEnvironment.err()).isZero();
    assertThat(byEnvironment.lines().get(0))
        .isEqualTo("multiproc backend: thread, chosen by multiproc.backend=thread (environment variable MULTIPROC_BACKEND)");
  }

  @Test
  void aWrongBackendIsABadInputWithAClearMessage() throws Exception {
    Run bySystemProperty = run(Map.of(), List.of("-Dmultiproc.backend=nosuch"), "pool-map");
    Run byEnvironment = run(Map.of("MULTIPROC_BACKEND", "nosuch"), List.of(), "pool-map");
    Run byOption = run(Map.of(), List.of(), "--backend", "nosuch", "pool-map");

    assertThat(bySystemProperty.exitCode()).isEqualTo(Examples.USAGE);
    assertThat(bySystemProperty.err()).startsWith("multiproc.backend=nosuch (system property) matches no backend. Available: ");
    assertThat(byEnvironment.exitCode()).isEqualTo(Examples.USAGE);
    assertThat(byEnvironment.err())
        .startsWith("multiproc.backend=nosuch (environment variable MULTIPROC_BACKEND) matches no backend. Available: ");
    assertThat(byOption.exitCode()).isEqualTo(Examples.USAGE);
    assertThat(byOption.err()).startsWith("--backend nosuch: no such backend on the class path. Available: ");
  }

  @Test
  void anUnknownExampleIsABadInput() throws Exception {
    Run r = run(Map.of(), List.of(), "countdown", "pool_map");

    assertThat(r.exitCode()).isEqualTo(Examples.USAGE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("Unknown example \"pool_map\". Examples: countdown, pool-map,");
  }

  /** Runs the jar with MULTIPROC_BACKEND unset unless given; fails the test if it does not end in time. */
  private Run run(Map<String, String> env, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
    assertThat(JAR).as("the runnable jar; run `./mvnw -pl examples verify`").isRegularFile();
    List<String> command = new ArrayList<>(List.of(JAVA.toString()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", JAR.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().remove("MULTIPROC_BACKEND");
    pb.environment().putAll(env);
    Process p = pb.start();
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError(command + " did not end within " + TIMEOUT_SECONDS + " s; output so far:\n"
            + Files.readString(out) + Files.readString(err));
      }
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  private static List<String> concat(Object... parts) {
    List<String> all = new ArrayList<>();
    for (Object part : parts) {
      if (part instanceof List<?> l) {
        l.forEach(x -> all.add(x.toString()));
      } else {
        all.add(part.toString());
      }
    }
    return all;
  }
}
