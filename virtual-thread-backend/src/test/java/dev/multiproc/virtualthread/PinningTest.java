package dev.multiproc.virtualthread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Event;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Task;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.spi.BackendConfig;
import dev.multiproc.engine.LocalBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the blocking paths on virtual threads under a JFR recording of
 * {@code jdk.VirtualThreadPinned} (threshold 0, with stacks) and fails on any pinned event with a
 * {@code dev.multiproc} frame. On JDK 24+ (JEP 491) monitors no longer pin, so this catches what
 * still does there (native frames, class initializers); {@link NoMonitorsTest} covers the
 * monitors that pin on JDK 21-23. The control case proves that the recording does see pinning.
 */
@Timeout(60)
class PinningTest {

  private static final String PINNED = "jdk.VirtualThreadPinned";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private LocalBackend backend;

  @BeforeEach
  void open() {
    backend = (LocalBackend) new VirtualThreadBackendProvider().open(BackendConfig.of("virtual-thread", Map.of()));
  }

  @AfterEach
  void close() {
    backend.close();
    assertThat(backend.threads().liveThreads()).as("threads left after close").isZero();
  }

  @Test
  void queuePutAndGetBlockWithoutPinning() throws Exception {
    List<String> pinned = pinnedEventsDuring(() -> {
      Queue<Integer> queue = backend.newQueue(1);
      int n = 500;
      AtomicInteger sum = new AtomicInteger();
      Worker producer = worker(() -> {
        for (int i = 0; i < n; i++) {
          queue.put(i); // blocks while the consumer is behind
        }
        queue.put(-1, Duration.ofMillis(5)); // full until the consumer takes: times out or succeeds
      });
      Worker consumer = worker(() -> {
        for (int i = 0; i < n; i++) {
          sum.addAndGet(queue.get()); // blocks while empty
        }
        queue.get(Duration.ofMillis(5));
        queue.get(Duration.ofMillis(5)); // empty by now: times out
      });
      join(producer, consumer);
      assertThat(sum).hasValue(n * (n - 1) / 2);
    });
    assertThat(pinned).isEmpty();
  }

  @Test
  void eventAwaitBlocksWithoutPinning() throws Exception {
    List<String> pinned = pinnedEventsDuring(() -> {
      Event go = backend.newEvent();
      AtomicInteger arrived = new AtomicInteger();
      List<Worker> waiters = IntStream.range(0, 200).mapToObj(i -> worker(() -> {
        arrived.incrementAndGet();
        go.await();
        go.await(Duration.ofSeconds(10));
      })).toList();
      Event never = backend.newEvent();
      Worker timesOut = worker(() -> assertThat(never.await(Duration.ofMillis(5))).isFalse());
      Polling.until(() -> arrived.get() == 200, WAIT, () -> "200 waiters arrived");
      Worker setter = worker(go::set);
      join(setter, timesOut);
      join(waiters.toArray(Worker[]::new));
    });
    assertThat(pinned).isEmpty();
  }

  @Test
  void poolMapImapSubmitAndCloseBlockWithoutPinning() throws Exception {
    List<String> pinned = pinnedEventsDuring(() -> {
      Queue<Integer> tokens = backend.newQueue(2);
      Event gate = backend.newEvent();
      // The caller is a virtual thread too: it blocks in map, imap, submit().get() and close().
      Worker caller = worker(() -> {
        Pool pool = backend.newPool(PoolOptions.builder().workers(4).build());
        try {
          Worker opener = worker(() -> {
            gate.await(Duration.ofMillis(20));
            gate.set();
          });
          List<Integer> out = pool.map(i -> {
            gate.await();
            tokens.put(i); // the bounded queue makes tasks block on each other
            tokens.get();
            Thread.sleep(1);
            return i + 1;
          }, IntStream.range(0, 100).boxed().toList(), 1);
          assertThat(out).hasSize(100);
          opener.join();
          Iterator<Integer> it = pool.imap(i -> {
            Thread.sleep(1);
            return i;
          }, IntStream.range(0, 50).boxed().toList());
          int count = 0;
          while (it.hasNext()) {
            it.next();
            count++;
          }
          assertThat(count).isEqualTo(50);
          Iterator<Integer> unordered = pool.imapUnordered(i -> i, List.of(1, 2, 3));
          while (unordered.hasNext()) {
            unordered.next();
          }
          assertThat(pool.submit(() -> {
            Thread.sleep(5);
            return "done";
          }).get()).isEqualTo("done");
          pool.submit(() -> {
            Thread.sleep(20);
            return null;
          });
        } finally {
          pool.close(); // waits for the queued sleep
        }
      });
      join(caller);
    });
    assertThat(pinned).isEmpty();
  }

  @Test
  void workerJoinBlocksWithoutPinning() throws Exception {
    List<String> pinned = pinnedEventsDuring(() -> {
      Event go = backend.newEvent();
      Worker target = worker(go::await);
      Worker joiner = worker(() -> {
        assertThat(target.join(Duration.ofMillis(5))).isFalse();
        go.set();
        target.join();
      });
      join(joiner, target);
    });
    assertThat(pinned).isEmpty();
  }

  /** The control: blocking in a class initializer pins on every JDK; the check must see it. */
  @Test
  void theCheckSeesPinningWhenThereIsSome() throws Exception {
    List<String> pinned = pinnedEventsDuring(false, () -> join(worker(() -> {
      if (BlocksInItsInitializer.VALUE != 42) {
        throw new AssertionError();
      }
    })));
    assertThat(pinned).as("pinned events in the control case").isNotEmpty();
    assertThat(pinned.get(0)).contains(BlocksInItsInitializer.class.getName() + ".<clinit>", "dev.multiproc.engine.LocalWorker");
  }

  /** Parks in its static initializer: a virtual thread initializing it is pinned while it sleeps. */
  static final class BlocksInItsInitializer {
    static final int VALUE;

    static {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      VALUE = 42;
    }

    private BlocksInItsInitializer() {}
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Runs {@code scenario} once unrecorded, so that every class it uses is loaded and initialized
   * (a virtual thread loading a class is pinned for that moment, once per JVM: the JDK's doing,
   * and what a test run alone would otherwise see), then again under a recording of
   * {@code jdk.VirtualThreadPinned}; returns a description of each pinned event whose stack has a
   * {@code dev.multiproc} frame.
   */
  private List<String> pinnedEventsDuring(Task scenario) throws Exception {
    return pinnedEventsDuring(true, scenario);
  }

  /** As {@link #pinnedEventsDuring(Task)}; without the warm-up run if {@code warmUp} is false (the control case). */
  private List<String> pinnedEventsDuring(boolean warmUp, Task scenario) throws Exception {
    if (warmUp) {
      scenario.run();
    }
    Path file = dir.resolve("pinning.jfr");
    try (Recording recording = new Recording()) {
      recording.enable(PINNED).withThreshold(Duration.ZERO).withStackTrace();
      recording.start();
      scenario.run();
      recording.stop();
      recording.dump(file);
    }
    List<String> found = new ArrayList<>();
    for (RecordedEvent e : readAll(file)) {
      if (!e.getEventType().getName().equals(PINNED) || e.getStackTrace() == null) {
        continue;
      }
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      if (frames.stream().anyMatch(f -> f.getMethod().getName().equals("commit")
          && f.getMethod().getType().getName().startsWith("dev.multiproc.engine.Events$"))) {
        // This recording's own doing: committing a JFR event may flush its buffer natively, and the
        // first commit while recording loads JFR's classes (the warm-up run records nothing).
        continue;
      }
      boolean ours = frames.stream().anyMatch(f -> f.getMethod().getType().getName().startsWith("dev.multiproc."));
      if (ours) {
        found.add("pinned for " + e.getDuration() + " at\n  " + frames.stream()
            .map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName() + ":" + f.getLineNumber())
            .collect(Collectors.joining("\n  ")));
      }
    }
    return found;
  }

  private static List<RecordedEvent> readAll(Path file) throws IOException {
    assertThat(Files.size(file)).isPositive();
    return RecordingFile.readAllEvents(file);
  }

  private Worker worker(Task task) {
    return backend.newWorker(task, WorkerOptions.defaults()).start();
  }

  private static void join(Worker... workers) throws InterruptedException {
    for (Worker w : workers) {
      assertThat(w.join(WAIT)).as("%s finished", w).isTrue();
      assertThat(w.failure()).as("failure of %s", w).isEmpty();
      assertThat(w.exitCode()).hasValue(0);
    }
  }
}
