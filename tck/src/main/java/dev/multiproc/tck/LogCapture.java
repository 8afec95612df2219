package dev.multiproc.tck;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what a {@code java.util.logging} logger (and the loggers below it) publishes while
 * installed, so a test can check a backend's warnings: {@code try (LogCapture log =
 * LogCapture.of("dev.multiproc")) { ...; assertThat(log.records()) ... }}. Levels are left as
 * they are.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private LogCapture(Logger logger) {
    this.logger = logger;
    logger.addHandler(handler);
  }

  /** Starts collecting from the logger named {@code name}. */
  public static LogCapture of(String name) {
    return new LogCapture(Logger.getLogger(name));
  }

  /** @return what was published so far, in order; a live, thread-safe view */
  public List<LogRecord> records() {
    return records;
  }

  /** Stops collecting; what was collected stays readable. */
  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
