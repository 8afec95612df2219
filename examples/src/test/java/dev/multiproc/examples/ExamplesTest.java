package dev.multiproc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.multiproc.Connection;
import dev.multiproc.Event;
import dev.multiproc.JoinableQueue;
import dev.multiproc.Lock;
import dev.multiproc.Multiproc;
import dev.multiproc.Queue;
import dev.multiproc.Value;
import dev.multiproc.engine.LocalBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs every example quickly on the thread backend (surefire sets {@code multiproc.backend=thread})
 * and checks what it prints, that it leaves no thread behind, and that its tasks could travel to
 * another JVM. {@link ExamplesJarIT} runs the packaged jar on every backend.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExamplesTest {

  private static final Settings QUICK = new Settings(Duration.ofMillis(1), 2_000_000L);

  private static final List<String> ZERO_TO_NINE = IntStream.range(0, 10).mapToObj(Integer::toString).toList();

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @BeforeAll
  static void onTheThreadBackend() {
    assertThat(Multiproc.backend().name()).isEqualTo("thread");
  }

  /** Every example ends what it started: no thread of the backend is left, pools included. */
  @AfterEach
  void leavesNoThreadBehind() throws InterruptedException {
    LocalBackend backend = (LocalBackend) Multiproc.backend();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (backend.threads().liveThreads() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000); // polling with a deadline: a thread ends just after join() returns
    }
    assertThat(backend.threads().liveThreads()).as("threads of the thread backend still alive").isZero();
  }

  private List<String> lines() {
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void countdownTimesOneWorkerAndTwoAndTheirChecksumsAgree() throws Exception {
    Countdown.run(out, QUICK);

    assertThat(lines()).hasSize(4);
    assertThat(lines().get(0)).matches("one worker, +countdown\\(2000000\\): +Time taken in seconds - \\d+\\.\\d{3}");
    assertThat(lines().get(1)).matches("two workers, countdown\\(1000000\\) each: Time taken in seconds - \\d+\\.\\d{3}");
    assertThat(lines().get(2)).matches("speedup: \\d+\\.\\d\\dx on \\d+ processors? \\(checksums agree: 0x[0-9a-f]+\\)");
    assertThat(lines().get(3)).startsWith("No GIL on the JVM"); // how it goes on depends on the machine
  }

  @Test
  void countdownHalvesAddUpToTheWhole() {
    assertThat(Countdown.countdown(1000, 500) + Countdown.countdown(500, 0)).isEqualTo(Countdown.countdown(1000, 0));
    assertThat(Countdown.countdown(0, 0)).isZero();
  }

  @Test
  void poolMapPrintsTheSeedsList() {
    PoolMap.run(out, QUICK);

    assertThat(lines()).containsExactly(
        "method 1: p = Pool(8); p.map(f, range(1024)); p.close() -> f ran on 1024 items",
        "method 2: with Pool(8) as p: p.map(f, range(1024))      -> f ran on 1024 items",
        "with return values: res = p.map(f, range(1024))",
        "res: [0, 1, 2, ..., 1023]  (1024 results, each equal to its input, in order)");
  }

  @Test
  void imapProgressShowsABarOnItsOwnStreamAndTheResultsOnStdout() {
    ByteArrayOutputStream progressBytes = new ByteArrayOutputStream();
    PrintStream progress = new PrintStream(progressBytes, true, StandardCharsets.UTF_8);

    ImapProgress.run(out, progress, false, QUICK);

    assertThat(lines()).containsExactly(
        "imap over 200 items, progress on stderr: 200 results in input order, sum of squares 2646700");
    List<String> bar = progressBytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(bar).as("plain lines when not on a terminal").isNotEmpty()
        .allSatisfy(l -> assertThat(l).startsWith("imap ").doesNotContain("\r").doesNotContain("\u001b["));
    assertThat(bar.get(bar.size() - 1)).matches("imap 100% \\[=+\\] 200/200 .*");
  }

  @Test
  void abbreviateShowsShortListsWhole() {
    assertThat(PoolMap.abbreviate(List.of(1, 2, 3))).isEqualTo("[1, 2, 3]");
    assertThat(PoolMap.abbreviate(List.of(1, 2, 3, 4, 5))).isEqualTo("[1, 2, 3, ..., 5]");
  }

  @Test
  void senderReceiverTakesTenThenTerminatesTheSender() throws Exception {
    SenderReceiver.run(out, QUICK);

    assertThat(lines().subList(0, 10)).isEqualTo(ZERO_TO_NINE);
    assertThat(lines().subList(10, lines().size())).containsExactly("sender terminated (exit code -15)");
  }

  @Test
  void classyDoesTheSameFromAClass() throws Exception {
    Classy.run(out, QUICK);

    assertThat(lines().subList(0, 10)).isEqualTo(ZERO_TO_NINE);
    assertThat(lines().subList(10, lines().size())).containsExactly("sender terminated (exit code -15)");
  }

  @Test
  void eventStopStopsTheSenderGracefully() throws Exception {
    EventStop.run(out, QUICK);

    assertThat(lines().subList(0, 10)).isEqualTo(ZERO_TO_NINE);
    assertThat(lines().subList(10, lines().size()))
        .containsExactly("exit event set; sender stopped by itself (exit code 0)");
  }

  @Test
  void sharedCounterStaysAt500() throws Exception {
    SharedCounter.run(out, QUICK);

    assertThat(lines()).containsExactly("500",
        "(500, plus 5 a hundred times, minus 5 a hundred times, each under the lock: no update lost)");
  }

  @Test
  void joinableQueueWorkIsAllDoneBeforeTheWorkersStop() throws Exception {
    JoinableQueueWork.run(out, QUICK);

    assertThat(lines()).containsExactly("all 100 items done: sum of squares 338350 (expected 338350)",
        "consumer-0 stopped (exit code 0)", "consumer-1 stopped (exit code 0)");
  }

  @Test
  void pipePingPongEndsWithTheDocsMessageThenEof() throws Exception {
    PipePingPong.run(out, QUICK);

    assertThat(lines()).containsExactly("pong 0", "pong 1", "pong 2", "pong 3", "pong 4", "[42, null, hello]",
        "then EOF: the child closed its end", "child exited with code 0");
  }

  /**
   * What makes the examples work unchanged on the process backend: every lambda in them captures
   * only queue and event handles and plain values, never {@code this}. A capturing lambda compiles
   * to a synthetic method whose leading parameters are what it captured, and which is an instance
   * method exactly when it captures {@code this}.
   */
  @Test
  void tasksCaptureOnlyHandlesAndPlainValues() {
    List<Method> lambdas = new ArrayList<>();
    for (Class<?> c : List.of(Countdown.class, PoolMap.class, SenderReceiver.class, Classy.class, Classy.A.class,
        EventStop.class, EventStop.A.class, SharedCounter.class, JoinableQueueWork.class, PipePingPong.class,
        ImapProgress.class)) {
      for (Method m : c.getDeclaredMethods()) {
        if (m.isSynthetic() && m.getName().startsWith("lambda$")) {
          lambdas.add(m);
        }
      }
    }
    assertThat(lambdas).as("the examples' lambdas").hasSizeGreaterThanOrEqualTo(6);
    for (Method m : lambdas) {
      assertThat(java.lang.reflect.Modifier.isStatic(m.getModifiers()))
          .as("%s.%s captures this", m.getDeclaringClass().getSimpleName(), m.getName()).isTrue();
      for (Class<?> p : m.getParameterTypes()) {
        // (a lambda's own arguments come last: a map function's boxed item counts as a plain value)
        assertThat(p.isPrimitive() || Number.class.isAssignableFrom(p) || p == String.class || p == Queue.class || p == Event.class || p == Lock.class
            || p == Value.class || p == JoinableQueue.class || p == Connection.class)
            .as("%s.%s captures a %s", m.getDeclaringClass().getSimpleName(), m.getName(), p.getName()).isTrue();
      }
    }
  }

  @Test
  void settingsComeFromSystemPropertiesWithClearErrors() {
    assertThat(Settings.fromSystemProperties()).isEqualTo(Settings.DEFAULTS);
    withProperty(Settings.INTERVAL_KEY, "25", () ->
        assertThat(Settings.fromSystemProperties().interval()).isEqualTo(Duration.ofMillis(25)));
    withProperty(Settings.COUNT_KEY, "1_000_000", () ->
        assertThat(Settings.fromSystemProperties().count()).isEqualTo(1_000_000L));
    withProperty(Settings.INTERVAL_KEY, "half a second", () ->
        assertThat(Examples.run(new String[] {"classy"}, out, out)).isEqualTo(Examples.USAGE));
    assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith(
        "-Dexamples.interval-ms=half a second is not valid: expected a whole number of milliseconds from 1 to 60,000"
            + " (default 500).");
  }

  @Test
  void launcherRunsTheNamedExamplesInOrderOnTheConfiguredBackend() {
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    int code = Examples.run(new String[] {"pool-map", "--backend", "thread", "countdown"}, out,
        new PrintStream(errBytes, true, StandardCharsets.UTF_8));

    assertThat(code).as(errBytes.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(lines().get(0)).isEqualTo("multiproc backend: thread, chosen by --backend thread");
    assertThat(lines()).filteredOn(l -> l.startsWith("== "))
        .extracting(l -> l.substring(3, l.indexOf(':')))
        .containsExactly("pool-map", "countdown");
  }

  @Test
  void launcherRunsAllByDefault() {
    withProperty(Settings.INTERVAL_KEY, "1", () -> withProperty(Settings.COUNT_KEY, "100000", () ->
        assertThat(Examples.run(new String[0], out, out)).isZero()));

    assertThat(lines()).filteredOn(l -> l.startsWith("== "))
        .extracting(l -> l.substring(3, l.indexOf(':')))
        .containsExactly("countdown", "pool-map", "sender-receiver", "classy", "event-stop", "shared-counter",
            "joinable-queue", "pipe-ping-pong", "imap-progress");
  }

  @Test
  void helpListsTheExamplesAndTheBackends() {
    assertThat(Examples.run(new String[] {"--help"}, out, out)).isZero();

    String help = bytes.toString(StandardCharsets.UTF_8);
    for (Examples.Example e : Examples.ALL) {
      assertThat(help).containsPattern("(?m)^  " + e.name() + " +" + java.util.regex.Pattern.quote(e.summary()) + "$");
    }
    assertThat(help).containsPattern("(?m)^  thread +10$").contains("Selected: thread, chosen by multiproc.backend=thread (system property)");
  }

  @Test
  void badInputExitsWithTwoAndSaysWhatToDo() {
    assertThat(Examples.run(new String[] {"countdwn"}, out, out)).isEqualTo(Examples.USAGE);
    assertThat(Examples.run(new String[] {"--backend", "threads"}, out, out)).isEqualTo(Examples.USAGE);
    assertThat(Examples.run(new String[] {"--backend"}, out, out)).isEqualTo(Examples.USAGE);
    assertThat(Examples.run(new String[] {"--verbose"}, out, out)).isEqualTo(Examples.USAGE);

    assertThat(lines()).containsSubsequence(
        "Unknown example \"countdwn\". Examples: countdown, pool-map, sender-receiver, classy, event-stop,"
            + " shared-counter, joinable-queue, pipe-ping-pong, imap-progress, cluster-map (or all).",
        "--backend threads: no such backend on the class path. Available: " + Multiproc.availableBackends()
            + ". Did you mean \"thread\"? For the examples: add it to examples/pom.xml (runtime scope) and rebuild.",
        "--backend needs a name, such as --backend thread.",
        "Unknown option --verbose. Options: --backend <name>, --help.");
  }

  @Test
  void aKnownBackendThatIsMissingGetsTheArtifactToAdd() {
    Optional<String> missing = Stream.of("virtual-thread", "process", "hazelcast")
        .filter(b -> !Multiproc.availableBackends().contains(b))
        .findFirst();
    assumeTrue(missing.isPresent(), "every backend is on the class path");

    assertThat(Examples.run(new String[] {"--backend", missing.get()}, out, out)).isEqualTo(Examples.USAGE);
    assertThat(lines().get(0)).isEqualTo("--backend " + missing.get() + ": no such backend on the class path."
        + " Available: " + Multiproc.availableBackends() + ". To use \"" + missing.get()
        + "\", add the artifact dev.multiproc:multiproc-" + missing.get()
        + "-backend to the class path. For the examples: add it to examples/pom.xml (runtime scope) and rebuild.");
  }

  private static void withProperty(String key, String value, Runnable body) {
    String old = System.getProperty(key);
    System.setProperty(key, value);
    try {
      body.run();
    } finally {
      if (old == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, old);
      }
    }
  }
}
