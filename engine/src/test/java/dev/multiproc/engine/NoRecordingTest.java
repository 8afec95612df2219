package dev.multiproc.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program that records nothing never loads an event class: the first one a JVM loads sets up
 * the Flight Recorder (0.4 s of CPU), which a first map must not pay. Each case runs
 * {@link NoRecordingMain} in a fresh JVM that logs every class it loads.
 */
@Timeout(120)
class NoRecordingTest {

  @Test
  void aMapAndAWaitingGetLoadNoEventClassWhenNothingRecords() throws Exception {
    String out = run();
    assertThat(out).contains("DONE [1, 4, 9] true").contains("dev.multiproc.engine.LocalPool ");
    assertThat(out).doesNotContain("dev.multiproc.engine.Events$").doesNotContain("jdk.jfr.internal.JVM ");
  }

  @Test
  void withARecordingTheEventsAreMade(@TempDir Path dir) throws Exception {
    String out = run("-XX:StartFlightRecording:filename=" + dir.resolve("recording.jfr"));
    assertThat(out).contains("DONE [1, 4, 9] true")
        .contains("dev.multiproc.engine.Events$Chunk ").contains("dev.multiproc.engine.Events$QueueWait ");
  }

  private static String run(String... options) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    command.add("-Xlog:class+load=info:stdout");
    command.addAll(List.of(options));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), NoRecordingMain.class.getName()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      return out;
    } finally {
      p.destroyForcibly();
    }
  }
}
