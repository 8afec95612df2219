package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Backend;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.spi.BackendConfig;
import dev.multiproc.tck.LogCapture;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pool child that does not exit when its pool closes (here: stopped with SIGSTOP) is killed after
 * {@code multiproc.process.shutdown-timeout}, and the pool says so at WARNING, naming the worker
 * and the setting.
 */
@Timeout(120)
class ShutdownWarningIT {

  @Test
  void aChildThatDoesNotExitAfterCloseIsKilledWithAWarningNamingTheSetting() throws Exception {
    LogCapture log = LogCapture.of("dev.multiproc");
    List<LogRecord> records = log.records();
    long pid;
    try (Backend b = new ProcessBackendProvider().open(BackendConfig.of("process", Map.of("shutdown-timeout", "1s")))) {
      Pool pool = b.newPool(PoolOptions.builder().name("frozen").workers(1).build());
      pid = pool.submit(() -> ProcessHandle.current().pid()).get(60, TimeUnit.SECONDS);
      Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start();
      assertThat(stop.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(stop.exitValue()).isZero();
      pool.close(); // no work left: waits for the child to exit, which a stopped one cannot
      assertThat(ProcessHandle.of(pid).map(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join()))
          .as("the stopped child was killed").isPresent();
    } finally {
      log.close();
    }
    assertThat(records).anySatisfy(r -> {
      assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.WARNING);
      assertThat(r.getMessage()).contains("pool frozen", "pid " + pid, "multiproc.process.shutdown-timeout", "killing it");
    });
  }
}
