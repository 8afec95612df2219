package dev.multiproc.thread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Backend;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.spi.BackendConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The engine's JFR events: a chunk event per chunk a worker runs, a queue-wait event per get that waited. */
@Timeout(60)
class JfrEventsTest {

  @Test
  void chunksAndQueueWaitsAreRecorded(@TempDir Path temp) throws Exception {
    Path file = temp.resolve("multiproc.jfr");
    try (Recording recording = new Recording();
        Backend b = new ThreadBackendProvider().open(BackendConfig.of("thread", Map.of()))) {
      recording.enable("dev.multiproc.Chunk");
      recording.enable("dev.multiproc.QueueWait");
      recording.start();
      try (Pool pool = b.newPool(PoolOptions.builder().name("jfr").workers(2).build())) {
        assertThat(pool.map(x -> x + 1, List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 5)).hasSize(10);
        assertThat(pool.submit(() -> "one").get()).isEqualTo("one");
      }
      Queue<String> q = b.newQueue(0);
      assertThat(q.get(Duration.ofMillis(20))).isEmpty();
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    List<RecordedEvent> chunks = events.stream().filter(e -> e.getEventType().getName().equals("dev.multiproc.Chunk")).toList();
    assertThat(chunks).extracting(e -> e.getString("pool")).containsOnly("jfr");
    assertThat(chunks).extracting(e -> e.getInt("items")).containsExactlyInAnyOrder(5, 5, 0);
    assertThat(events).filteredOn(e -> e.getEventType().getName().equals("dev.multiproc.QueueWait"))
        .singleElement().satisfies(e -> {
          assertThat(e.getBoolean("gotItem")).isFalse();
          assertThat(e.getDuration()).isPositive();
        });
  }
}
