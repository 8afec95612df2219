package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Children never outlive their parent: not when it is killed with SIGKILL while they run tasks
 * and block on queues, nor when it ends normally, by an exception in main, by System.exit, or by
 * SIGTERM, with or without closing its backend. Prints the measured times ("[fault-timing]").
 */
@Timeout(120)
class ParentDeathIT {

  /** A started parent and the pids of its children. */
  private record Parent(Process process, List<Long> children) {}

  private static Parent start(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
        "-cp", System.getProperty("java.class.path"), ParentMain.class.getName()));
    command.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("CHILDREN ")) {
        List<Long> pids = Arrays.stream(line.substring(9).trim().split(" ")).map(Long::valueOf).toList();
        Thread.ofPlatform().daemon().start(() -> drain(out));
        assertThat(pids).hasSize(4); // each child reported its own pid from inside a task
        return new Parent(p, pids);
      }
    }
    throw new AssertionError("the parent ended before printing its children, exit " + p.waitFor());
  }

  private static void drain(BufferedReader out) {
    try {
      while (out.readLine() != null) {
        // keep the pipe flowing
      }
    } catch (java.io.IOException e) {
      // the parent is gone
    }
  }

  /**
   * Whether the process still runs. A process that exited but is not yet reaped is a zombie: it
   * has ended (this machine's init reaps orphans only every ~2 s, and ProcessHandle counts
   * zombies as alive), so on Linux the state comes from /proc.
   */
  static boolean alive(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (Files.isDirectory(Path.of("/proc/self"))) {
      try {
        String s = Files.readString(stat);
        char state = s.charAt(s.lastIndexOf(')') + 2);
        return state != 'Z' && state != 'X';
      } catch (java.io.IOException e) {
        return false;
      }
    }
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /**
   * Waits until none of the pids is alive; returns how long that took, or fails after the limit.
   * Spins rather than {@code Await}'s millisecond polls: the time it returns is measured in tenths
   * of a millisecond.
   */
  private static long awaitAllGone(List<Long> pids, Duration limit, long sinceNanos) {
    long deadline = sinceNanos + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (pids.stream().noneMatch(ParentDeathIT::alive)) {
        return System.nanoTime() - sinceNanos;
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("children still alive " + limit + " after their parent died: "
        + pids.stream().filter(ParentDeathIT::alive).toList());
  }

  @Test
  void killingTheParentWithSigkillEndsEveryChildWithinTwoSeconds() throws Exception {
    Parent parent = start("wait");
    long killed = System.nanoTime();
    parent.process().toHandle().destroyForcibly();
    assertThat(parent.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
    long took = awaitAllGone(parent.children(), Duration.ofSeconds(2), killed);
    System.out.printf("[fault-timing] SIGKILL of the parent to all 4 children gone: %.1f ms%n", took / 1e6);
  }

  @ParameterizedTest(name = "{0} with a {1} backend")
  @CsvSource({
    "return, shared", "return, private",
    "throw, shared", "throw, private",
    "exit, shared", "exit, private",
    "sigterm, shared", "sigterm, private"
  })
  void whenTheParentEndsNoChildIsLeft(String how, String backend) throws Exception {
    Parent parent = start(how.equals("sigterm") ? "wait" : how, backend);
    long start = System.nanoTime();
    if (how.equals("sigterm")) {
      parent.process().toHandle().destroy();
    }
    assertThat(parent.process().waitFor(30, TimeUnit.SECONDS)).as("the parent JVM ends by itself").isTrue();
    long took = awaitAllGone(parent.children(), Duration.ofSeconds(2), System.nanoTime());
    System.out.printf("[fault-timing] parent %s (%s backend): parent gone after %.1f ms, children %.1f ms later%n",
        how, backend, (System.nanoTime() - start - took) / 1e6, took / 1e6);
    int expected = switch (how) {
      case "throw" -> 1;
      case "exit" -> 5;
      case "sigterm" -> 143;
      default -> 0;
    };
    assertThat(parent.process().exitValue()).isEqualTo(expected);
  }

  @Test
  void theTestLeavesNoDescendants() {
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(false)).count())
        .as("descendant JVMs of the test JVM").isZero();
  }
}
