package dev.multiproc.process;

import dev.multiproc.spi.BackendConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A test with a process backend of default settings, opened before each test and closed after it. */
abstract class WithProcessBackend {

  /** How long a wait for what should take milliseconds may take, on a loaded CI machine. */
  static final Duration LONG = Duration.ofSeconds(30);

  ProcessBackend backend;

  @BeforeEach
  void open() {
    backend = (ProcessBackend) new ProcessBackendProvider().open(BackendConfig.of("process", Map.of()));
  }

  @AfterEach
  void close() {
    backend.close();
  }
}
