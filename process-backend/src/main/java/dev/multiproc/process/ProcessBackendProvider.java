package dev.multiproc.process;

import dev.multiproc.Backend;
import dev.multiproc.spi.BackendConfig;
import dev.multiproc.spi.BackendProvider;

/**
 * The {@code process} backend: workers in child JVMs. Priority -1: used when configured, or when it
 * is the only backend on the class path. Public because {@link java.util.ServiceLoader} needs it.
 *
 * <p>Settings (system property, environment variable, or {@code multiproc.properties}):
 *
 * <ul>
 *   <li>{@code multiproc.process.java}: the java executable for children (default: this JVM's)
 *   <li>{@code multiproc.process.jvm-options}: options for every child JVM, separated by spaces,
 *       quotes allowed (default none; children always get {@code -XX:+ExitOnOutOfMemoryError}
 *       first, which these may override)
 *   <li>{@code multiproc.process.class-path}: the children's class path (default: where this JVM's
 *       classes are: {@code java.class.path}, the URLs of the class loaders that hold multiproc and
 *       the application, and the module path)
 *   <li>{@code multiproc.process.start-timeout}: how long to wait for a child to be ready
 *       (default {@code 60s})
 *   <li>{@code multiproc.process.shutdown-timeout}: how long closing waits for children to exit
 *       before killing them (default {@code 10s})
 *   <li>{@code multiproc.process.cds}: whether children start from a class-data-sharing archive
 *       that the first child writes (default {@code true}; used only with this JVM's own java and a
 *       class path of jars)
 *   <li>{@code multiproc.process.cds-dir}: where those archives are kept (default
 *       {@code <java.io.tmpdir>/multiproc-cds-<user.name>})
 *   <li>{@code multiproc.process.spares}: how many started, warmed-up child JVMs wait for the
 *       next {@code Worker.start()} once a first worker has started (default {@code 1}; {@code 0}
 *       for none); they end with the backend and with this JVM
 *   <li>{@code multiproc.process.shared-memory}: whether children send their messages to the
 *       parent through a ring buffer in shared memory, the pipe carrying only a doorbell (default
 *       {@code true}); {@code false} sends everything through the stdout pipe
 * </ul>
 */
public final class ProcessBackendProvider implements BackendProvider {

  /** The backend's name. */
  public static final String NAME = "process";

  /** Constructed by {@link java.util.ServiceLoader}; starts nothing. */
  public ProcessBackendProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public java.util.Set<String> options() {
    return java.util.Set.of("java", "jvm-options", "class-path", "start-timeout", "shutdown-timeout", "cds", "cds-dir",
        "spares", "shared-memory");
  }

  @Override
  public int priority() {
    return -1;
  }

  @Override
  public Backend open(BackendConfig config) {
    return new ProcessBackend(ProcessSettings.from(config));
  }
}
