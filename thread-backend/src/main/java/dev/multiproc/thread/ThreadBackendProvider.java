package dev.multiproc.thread;

import dev.multiproc.Backend;
import dev.multiproc.engine.LocalBackend;
import dev.multiproc.engine.ThreadMaker;
import dev.multiproc.spi.BackendConfig;
import dev.multiproc.spi.BackendProvider;
import java.time.Duration;

/**
 * The {@code thread} backend: platform threads. Priority 10. Public because
 * {@link java.util.ServiceLoader} needs it.
 *
 * <p>Settings: {@code multiproc.thread.shutdown-timeout} (default {@code 10s}): how long closing
 * the backend waits for threads that ignore interrupts;
 * {@code multiproc.thread.check-shippable} (default {@code false}): {@code true} serializes every
 * task, function, initializer, item and result first and refuses, as the process backend would,
 * what cannot travel.
 */
public final class ThreadBackendProvider implements BackendProvider {

  /** The backend's name. */
  public static final String NAME = "thread";

  /** Constructed by {@link java.util.ServiceLoader}; starts nothing. */
  public ThreadBackendProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public java.util.Set<String> options() {
    return java.util.Set.of("shutdown-timeout", "check-shippable");
  }

  @Override
  public int priority() {
    return 10;
  }

  @Override
  public Backend open(BackendConfig config) {
    return new LocalBackend(NAME, ThreadMaker.platform(), config.getDuration("shutdown-timeout", Duration.ofSeconds(10)),
        config.getBoolean("check-shippable", false));
  }
}
