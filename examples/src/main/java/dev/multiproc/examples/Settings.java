package dev.multiproc.examples;

import java.time.Duration;
import java.util.Locale;

/**
 * What the examples can be told from outside, so that a test can run them quickly. Read from system
 * properties by {@link #fromSystemProperties()}; the parent reads them and passes plain values to
 * its tasks, so child JVMs need not see the properties.
 *
 * @param interval the sender's and the receiver's pause ({@code time.sleep(0.5)} in the seed)
 * @param count how far {@code countdown} counts ({@code COUNT = 50000000} in the seed)
 */
record Settings(Duration interval, long count) {

  /** The system property for {@link #interval()}, in milliseconds. */
  static final String INTERVAL_KEY = "examples.interval-ms";

  /** The system property for {@link #count()}. */
  static final String COUNT_KEY = "examples.countdown.count";

  /** The seed's values: 0.5 s and 50,000,000. */
  static final Settings DEFAULTS = new Settings(Duration.ofMillis(500), 50_000_000L);

  Settings {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive: " + interval);
    }
    if (count < 2) {
      throw new IllegalArgumentException("count must be at least 2: " + count);
    }
  }

  /**
   * The settings from the system properties {@value #INTERVAL_KEY} and {@value #COUNT_KEY}, with
   * the seed's values where unset.
   *
   * @throws IllegalArgumentException if a property is set to something else than a whole number in
   *     range; the message names the property, the value and what is expected
   */
  static Settings fromSystemProperties() {
    long interval = number(INTERVAL_KEY, DEFAULTS.interval().toMillis(), 1, 60_000, "milliseconds");
    long count = number(COUNT_KEY, DEFAULTS.count(), 2, Long.MAX_VALUE / 2, "steps");
    return new Settings(Duration.ofMillis(interval), count);
  }

  private static long number(String key, long defaultValue, long min, long max, String unit) {
    String raw = System.getProperty(key);
    if (raw == null || raw.isBlank()) {
      return defaultValue;
    }
    long n;
    try {
      n = Long.parseLong(raw.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      n = min - 1;
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "-D%s=%s is not valid: expected a whole number of %s from %,d to %,d (default %,d).",
          key, raw, unit, min, max, defaultValue));
    }
    return n;
  }
}
