package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Backend;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.WorkerDiedException;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.spi.BackendConfig;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM's start (until ready), exit and replacement in a pool are JFR events; with no
 * recording, starting children loads no event class (the first one a JVM loads sets up the Flight
 * Recorder: 0.4 s of CPU).
 */
@Timeout(120)
class JfrChildEventsTest {

  @Test
  void aChildsStartAndExitAreRecorded(@TempDir Path temp) throws Exception {
    Path file = temp.resolve("children.jfr");
    long pid;
    try (Recording recording = new Recording();
        Backend b = new ProcessBackendProvider().open(BackendConfig.of("process", Map.of("cds", "false")))) {
      recording.enable("dev.multiproc.ChildStart");
      recording.enable("dev.multiproc.ChildExit");
      recording.start();
      Worker w = b.newWorker(() -> {}, WorkerOptions.builder().name("jfr-child").build()).start();
      assertThat(w.join(Duration.ofSeconds(60))).isTrue();
      pid = w.pid().orElseThrow();
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    assertThat(events).filteredOn(e -> e.getEventType().getName().equals("dev.multiproc.ChildStart")).singleElement()
        .satisfies(e -> {
          assertThat(e.getString("worker")).contains("jfr-child");
          assertThat(e.getLong("pid")).isEqualTo(pid);
          assertThat(e.getBoolean("ready")).isTrue();
        });
    assertThat(events).filteredOn(e -> e.getEventType().getName().equals("dev.multiproc.ChildExit")).singleElement()
        .satisfies(e -> {
          assertThat(e.getLong("pid")).isEqualTo(pid);
          assertThat(e.getInt("exitCode")).isZero();
        });
  }

  @Test
  void withoutARecordingChildrenLoadNoEventClassInTheParent() throws Exception {
    List<String> command = List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
        "-Xlog:class+load=info:stdout", "-cp", System.getProperty("java.class.path"), NoRecordingMain.class.getName());
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(out).contains("DONE [1, 4, 9]").contains("dev.multiproc.process.Child ");
      assertThat(out).doesNotContain("dev.multiproc.engine.Events$").doesNotContain("jdk.jfr.internal.JVM ");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void aPoolsReplacementOfADeadChildIsRecorded(@TempDir Path temp) throws Exception {
    Path file = temp.resolve("replace.jfr");
    long first;
    long second;
    try (Recording recording = new Recording();
        Backend b = new ProcessBackendProvider().open(BackendConfig.of("process", Map.of("cds", "false")));
        Pool pool = b.newPool(PoolOptions.builder().workers(1).name("jfr-pool").build())) {
      recording.enable("dev.multiproc.ChildReplace");
      recording.enable("dev.multiproc.ChildExit");
      recording.start();
      first = pool.submit(() -> ProcessHandle.current().pid()).get(60, TimeUnit.SECONDS);
      assertThatThrownBy(() -> pool.submit(() -> {
        Runtime.getRuntime().halt(3);
        return 0;
      }).get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(WorkerDiedException.class);
      // The replacement's event is committed before it runs anything: once this returns, it is recorded.
      second = pool.submit(() -> ProcessHandle.current().pid()).get(60, TimeUnit.SECONDS);
      recording.stop();
      recording.dump(file);
    }
    assertThat(second).isNotEqualTo(first);
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    assertThat(events).filteredOn(e -> e.getEventType().getName().equals("dev.multiproc.ChildReplace")).singleElement()
        .satisfies(e -> {
          assertThat(e.getString("pool")).isEqualTo("jfr-pool");
          assertThat(e.getString("replaced")).isEqualTo("jfr-pool-1");
          assertThat(e.getString("reason")).isEqualTo("died (exit code 3)");
          assertThat(e.getString("worker")).isEqualTo("jfr-pool-2");
          assertThat(e.getLong("pid")).isEqualTo(second);
          assertThat(e.getBoolean("ready")).isTrue();
        });
    assertThat(events).filteredOn(e -> e.getEventType().getName().equals("dev.multiproc.ChildExit"))
        .anySatisfy(e -> {
          assertThat(e.getLong("pid")).isEqualTo(first);
          assertThat(e.getInt("exitCode")).isEqualTo(3);
        });
  }

  @Test
  void aPoolsChunksAndSubmitsAreRecordedFromDispatchToAnswer(@TempDir Path temp) throws Exception {
    Path file = temp.resolve("chunks.jfr");
    try (Recording recording = new Recording();
        Backend b = new ProcessBackendProvider().open(BackendConfig.of("process", Map.of("cds", "false")));
        Pool pool = b.newPool(PoolOptions.builder().workers(1).name("jfr-chunks").build())) {
      recording.enable("dev.multiproc.Chunk").withThreshold(Duration.ZERO);
      recording.start();
      assertThat(pool.map(x -> x + 1, List.of(1, 2, 3, 4, 5, 6, 7), 3)).containsExactly(2, 3, 4, 5, 6, 7, 8);
      assertThat(pool.submit(() -> 42).get(60, TimeUnit.SECONDS)).isEqualTo(42);
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> chunks = RecordingFile.readAllEvents(file).stream()
        .filter(e -> e.getEventType().getName().equals("dev.multiproc.Chunk")).toList();
    assertThat(chunks).allSatisfy(e -> assertThat(e.getString("pool")).isEqualTo("jfr-chunks"));
    assertThat(chunks).extracting(e -> e.getInt("items")).containsExactlyInAnyOrder(3, 3, 1, 0);
  }

  @Test
  void aPoolChildThatRecordsWritesItsRecordingWhenThePoolCloses(@TempDir Path temp) throws Exception {
    String options = "-XX:StartFlightRecording=filename=" + temp.resolve("child-%p.jfr") + " -Xlog:jfr+startup=off";
    long pid;
    try (Backend b = new ProcessBackendProvider().open(BackendConfig.of("process", Map.of("cds", "false", "jvm-options", options)));
        Pool pool = b.newPool(PoolOptions.builder().workers(1).build())) {
      pid = pool.submit(() -> ProcessHandle.current().pid()).get(60, TimeUnit.SECONDS);
    }
    // close() waited for the child to be gone: its shutdown hooks have written the recording
    Path recording = temp.resolve("child-" + pid + ".jfr");
    assertThat(recording).exists();
    assertThat(RecordingFile.readAllEvents(recording)).anySatisfy(e -> assertThat(e.getEventType().getName()).startsWith("jdk."));
  }
}
