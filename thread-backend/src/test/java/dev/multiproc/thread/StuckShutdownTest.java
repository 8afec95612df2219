package dev.multiproc.thread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Backend;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.spi.BackendConfig;
import dev.multiproc.tck.LogCapture;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Closing a backend that waits on a task ignoring interrupts says so, naming the pool's thread and the setting. */
@Timeout(60)
class StuckShutdownTest {

  static final CountDownLatch STARTED = new CountDownLatch(1);
  static final CountDownLatch RELEASE = new CountDownLatch(1);

  /** Waits for {@link #RELEASE}, ignoring interrupts, as stuck code does. */
  static int ignoreInterrupts() {
    STARTED.countDown();
    while (true) {
      try {
        RELEASE.await();
        return 1;
      } catch (InterruptedException e) {
        // ignored on purpose
      }
    }
  }

  @Test
  void aShutdownThatWaitsOnAStuckTaskLogsAWarning() throws Exception {
    LogCapture log = LogCapture.of("dev.multiproc");
    List<LogRecord> records = log.records();
    Backend b = new ThreadBackendProvider().open(BackendConfig.of("thread", Map.of("shutdown-timeout", "2s")));
    try {
      Pool pool = b.newPool(PoolOptions.builder().name("stuck").workers(1).build());
      pool.submit(StuckShutdownTest::ignoreInterrupts);
      assertThat(STARTED.await(30, TimeUnit.SECONDS)).isTrue();
      b.close();
      assertThat(records).extracting(LogRecord::getLevel).contains(Level.WARNING);
      assertThat(records).extracting(LogRecord::getMessage).anySatisfy(m -> assertThat(m)
          .contains("closing the thread backend waits", "stuck-1", "multiproc.thread.shutdown-timeout=PT2S"));
      assertThat(records).extracting(LogRecord::getMessage).anySatisfy(m -> assertThat(m)
          .contains("these threads still run: [stuck-1]"));
    } finally {
      RELEASE.countDown();
      log.close();
      b.close();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (((dev.multiproc.engine.LocalBackend) b).threads().liveThreads() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(((dev.multiproc.engine.LocalBackend) b).threads().liveThreads()).isZero();
  }
}
