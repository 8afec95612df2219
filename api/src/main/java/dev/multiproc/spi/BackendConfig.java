package dev.multiproc.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of one backend: a typed view, with defaults, of the keys
 * {@code multiproc.<backend>.<option>} (options in kebab-case, such as
 * {@code multiproc.process.jvm-options}).
 *
 * <p>{@link #load(String)} reads each key from, first match wins:
 *
 * <ol>
 *   <li>the system property of that name ({@code -Dmultiproc.process.jvm-options=-Xmx256m});
 *   <li>the environment variable named by upper-casing the key and turning {@code .} and
 *       {@code -} into {@code _} ({@code MULTIPROC_PROCESS_JVM_OPTIONS});
 *   <li>the first {@code multiproc.properties} resource on the class path.
 * </ol>
 *
 * Values set with {@link #with(String, String)} come before all three. Every typed getter fails
 * with an {@link IllegalArgumentException} that names the key, the bad value and where it came
 * from. Instances are immutable and thread-safe.
 */
public final class BackendConfig {

  /** The name of the class-path resource read for settings. */
  public static final String PROPERTIES_RESOURCE = "multiproc.properties";

  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

  /**
   * One setting and where it came from.
   *
   * @param key the full key, such as {@code multiproc.backend}
   * @param value the raw value, trimmed
   * @param source where it came from, for messages: {@code system property},
   *     {@code environment variable MULTIPROC_BACKEND}, {@code multiproc.properties at file:/...}
   *     or {@code set in code}
   */
  public record Setting(String key, String value, String source) {
    /** {@return {@code key=value (source)}, the way messages quote a setting} */
    public String describe() {
      return key + "=" + value + " (" + source + ")";
    }
  }

  private final String backend;
  private final Map<String, String> explicit;
  private final Function<String, Optional<Setting>> lookup;

  private BackendConfig(String backend, Map<String, String> explicit, Function<String, Optional<Setting>> lookup) {
    this.backend = backend;
    this.explicit = Map.copyOf(explicit);
    this.lookup = lookup;
  }

  /**
   * The settings of {@code backend} from system properties, the environment and
   * {@code multiproc.properties}. Values are read when asked for, so a system property set later
   * is seen.
   *
   * @param backend the backend's name, such as {@code process}
   * @return its settings
   */
  public static BackendConfig load(String backend) {
    return new BackendConfig(Objects.requireNonNull(backend, "backend"), Map.of(), BackendConfig::lookup);
  }

  /**
   * Settings given in code only: nothing else is consulted. For tests and embedding.
   *
   * @param backend the backend's name
   * @param options option name (such as {@code jvm-options}) to value
   * @return the settings
   */
  public static BackendConfig of(String backend, Map<String, String> options) {
    return new BackendConfig(Objects.requireNonNull(backend, "backend"), options, key -> Optional.empty());
  }

  /**
   * These settings with one option set in code; it wins over every other source.
   *
   * @param option the option name, such as {@code jvm-options}
   * @param value its value
   * @return new settings
   */
  public BackendConfig with(String option, String value) {
    Map<String, String> copy = new HashMap<>(explicit);
    copy.put(Objects.requireNonNull(option, "option"), Objects.requireNonNull(value, "value"));
    return new BackendConfig(backend, copy, lookup);
  }

  /**
   * Looks one full key up in system properties, then the environment, then
   * {@code multiproc.properties}. Blank values count as unset.
   *
   * @param key the full key, such as {@code multiproc.backend}
   * @return the setting, or empty if no source sets it
   */
  public static Optional<Setting> lookup(String key) {
    String value = System.getProperty(key);
    if (value != null && !value.isBlank()) {
      return Optional.of(new Setting(key, value.trim(), "system property"));
    }
    String env = environmentName(key);
    value = System.getenv(env);
    if (value != null && !value.isBlank()) {
      return Optional.of(new Setting(key, value.trim(), "environment variable " + env));
    }
    PropertiesFile file = PropertiesFile.get();
    value = file.properties.getProperty(key);
    if (value != null && !value.isBlank()) {
      return Optional.of(new Setting(key, value.trim(), PROPERTIES_RESOURCE + " at " + file.url));
    }
    return Optional.empty();
  }

  /**
   * Every {@code multiproc.*} key set in system properties or in {@code multiproc.properties}
   * (environment variables are not included: their names do not keep the key's spelling).
   *
   * @return each key with where it came from, for messages; system properties win
   */
  public static Map<String, String> allKeys() {
    Map<String, String> keys = new java.util.TreeMap<>();
    PropertiesFile file = PropertiesFile.get();
    for (String k : file.properties.stringPropertyNames()) {
      if (k.startsWith("multiproc.")) {
        keys.put(k, PROPERTIES_RESOURCE + " at " + file.url);
      }
    }
    for (String k : System.getProperties().stringPropertyNames()) {
      if (k.startsWith("multiproc.")) {
        keys.put(k, "system property");
      }
    }
    return keys;
  }

  /**
   * The environment variable that carries {@code key}: {@code multiproc.process.jvm-options} →
   * {@code MULTIPROC_PROCESS_JVM_OPTIONS}.
   *
   * @param key a full key
   * @return the variable's name
   */
  public static String environmentName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** {@return the backend these settings are for} */
  public String backend() {
    return backend;
  }

  /**
   * {@return its full key, such as {@code multiproc.process.jvm-options}}
   *
   * @param option an option name, such as {@code jvm-options}
   */
  public String key(String option) {
    Objects.requireNonNull(option, "option (a setting's name, such as jvm-options)");
    return "multiproc." + backend + "." + option;
  }

  /**
   * {@return the setting with its source, or empty if unset}
   *
   * @param option an option name
   */
  public Optional<Setting> setting(String option) {
    String value = explicit.get(option);
    if (value != null) {
      return Optional.of(new Setting(key(option), value.trim(), "set in code"));
    }
    return lookup.apply(key(option));
  }

  /**
   * {@return the raw value, or empty if unset}
   *
   * @param option an option name
   */
  public Optional<String> get(String option) {
    return setting(option).map(Setting::value);
  }

  /**
   * {@return the value}
   *
   * @param option an option name
   * @param defaultValue the value when unset
   */
  public String getString(String option, String defaultValue) {
    return get(option).orElse(defaultValue);
  }

  /**
   * {@return the value as an int}
   *
   * @param option an option name
   * @param defaultValue the value when unset
   * @throws IllegalArgumentException if the value is not an integer
   */
  public int getInt(String option, int defaultValue) {
    Optional<Setting> s = setting(option);
    if (s.isEmpty()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(s.get().value());
    } catch (NumberFormatException e) { // also when it does not fit an int
      throw invalid(s.get(), "an integer, such as 4");
    }
  }

  /**
   * {@return the value as a boolean}
   *
   * @param option an option name
   * @param defaultValue the value when unset
   * @throws IllegalArgumentException unless the value is {@code true} or {@code false}
   */
  public boolean getBoolean(String option, boolean defaultValue) {
    Optional<Setting> s = setting(option);
    if (s.isEmpty()) {
      return defaultValue;
    }
    return switch (s.get().value().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid(s.get(), "true or false");
    };
  }

  /**
   * Reads a duration written as a number with a unit ({@code 500ms}, {@code 30s}, {@code 2m},
   * {@code 1h}; units in any case) or in ISO-8601 ({@code PT30S}). Negative durations are refused.
   *
   * @param option an option name
   * @param defaultValue the value when unset
   * @return the value as a duration
   * @throws IllegalArgumentException if the value is not a duration
   */
  public Duration getDuration(String option, Duration defaultValue) {
    Optional<Setting> s = setting(option);
    if (s.isEmpty()) {
      return defaultValue;
    }
    String v = s.get().value();
    Matcher m = DURATION.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
    try {
      Duration d = Duration.parse(v);
      if (d.isNegative()) {
        throw invalid(s.get(), "a duration that is not negative, such as 500ms, 30s, 2m or PT30S");
      }
      return d;
    } catch (DateTimeParseException e) {
      throw invalid(s.get(), "a duration, such as 500ms, 30s, 2m or PT30S");
    }
  }

  /**
   * Reads a list of words separated by white space; a word may be quoted with {@code "} or
   * {@code '} to hold spaces ({@code -Xmx256m "-Dgreeting=hello world"}).
   *
   * @param option an option name
   * @return the words, empty if unset
   * @throws IllegalArgumentException if a quote is not closed
   */
  public List<String> getList(String option) {
    Optional<Setting> s = setting(option);
    if (s.isEmpty()) {
      return List.of();
    }
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (char c : s.get().value().toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (quote != 0) {
      throw invalid(s.get(), "words separated by spaces, with every quote (" + quote + ") closed");
    }
    if (inWord) {
      words.add(word.toString());
    }
    return List.copyOf(words);
  }

  private static IllegalArgumentException invalid(Setting s, String expected) {
    return new IllegalArgumentException(s.describe() + " is not valid: expected " + expected + ".");
  }

  @Override
  public String toString() {
    return "BackendConfig{" + backend + ", set in code: " + explicit + "}";
  }

  /** The first {@code multiproc.properties} on the class path, read once. */
  private record PropertiesFile(Properties properties, URL url) {
    private static volatile PropertiesFile instance;

    static PropertiesFile get() {
      PropertiesFile f = instance;
      if (f == null) {
        f = read();
        instance = f;
      }
      return f;
    }

    private static PropertiesFile read() {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      URL url = loader == null ? null : loader.getResource(PROPERTIES_RESOURCE);
      if (url == null) {
        url = BackendConfig.class.getClassLoader().getResource(PROPERTIES_RESOURCE);
      }
      Properties properties = new Properties();
      if (url != null) {
        try (InputStream in = url.openStream()) {
          properties.load(in);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + url, e);
        }
      }
      return new PropertiesFile(properties, url);
    }
  }
}
