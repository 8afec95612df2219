package dev.multiproc.hazelcast;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps Hazelcast quiet by default: its logging goes through {@code java.util.logging}
 * ({@code hazelcast.logging.type=jdk}, unless the system property says otherwise) with the
 * {@code com.hazelcast} logger at WARNING, unless the user's logging configuration set a level.
 */
final class Logging {

  /** Held: java.util.logging keeps loggers only weakly, and a collected one forgets its level. */
  private static final Logger HAZELCAST = Logger.getLogger("com.hazelcast");

  static {
    if (HAZELCAST.getLevel() == null) {
      HAZELCAST.setLevel(Level.WARNING);
    }
  }

  private Logging() {}

  /** @return the {@code hazelcast.logging.type} to configure: the system property's, else {@code jdk} */
  static String type() {
    String type = System.getProperty("hazelcast.logging.type");
    return type == null || type.isBlank() ? "jdk" : type;
  }
}
