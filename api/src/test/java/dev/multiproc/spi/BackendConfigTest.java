package dev.multiproc.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.multiproc.spi.BackendConfig.Setting;
import java.net.URL;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link BackendConfig}: where settings come from and in which order, and the typed getters with
 * their messages. The test class path holds a {@code multiproc.properties} (src/test/resources).
 */
class BackendConfigTest {

  private final Map<String, String> savedProperties = new HashMap<>();

  private void setProperty(String key, String value) {
    savedProperties.putIfAbsent(key, System.getProperty(key));
    System.setProperty(key, value);
  }

  @AfterEach
  void restoreProperties() {
    savedProperties.forEach((key, value) -> {
      if (value == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, value);
      }
    });
  }

  private static String fileSource() {
    URL url = BackendConfigTest.class.getClassLoader().getResource("multiproc.properties");
    assertThat(url).as("src/test/resources/multiproc.properties").isNotNull();
    return "multiproc.properties at " + url;
  }

  private static BackendConfig inCode(String option, String value) {
    return BackendConfig.of("test", Map.of(option, value));
  }

  // ------------------------------------------------------------------ sources and precedence

  @Test
  void propertiesFileIsRead() {
    assertThat(BackendConfig.load("test").setting("colour"))
        .contains(new Setting("multiproc.test.colour", "green", fileSource()));
    assertThat(BackendConfig.lookup("multiproc.test.from-file")).get().extracting(Setting::value).isEqualTo("only in the file");
  }

  @Test
  void systemPropertyWinsOverTheFile() {
    setProperty("multiproc.test.colour", "blue");
    assertThat(BackendConfig.load("test").setting("colour"))
        .contains(new Setting("multiproc.test.colour", "blue", "system property"));
  }

  @Test
  void environmentWinsOverTheFileAndLosesToSystemProperties() {
    // The key "path" maps to the variable PATH, which every process has; the file sets "path" too.
    String path = System.getenv("PATH");
    assertThat(path).as("PATH").isNotBlank();
    assertThat(BackendConfig.lookup("path")).contains(new Setting("path", path.trim(), "environment variable PATH"));
    setProperty("path", "from a property");
    assertThat(BackendConfig.lookup("path")).contains(new Setting("path", "from a property", "system property"));
  }

  @Test
  void setInCodeWinsOverEverySource() {
    setProperty("multiproc.test.colour", "blue");
    BackendConfig config = BackendConfig.load("test").with("colour", "red");
    assertThat(config.setting("colour")).contains(new Setting("multiproc.test.colour", "red", "set in code"));
    assertThat(config.get("from-file")).as("other options still come from the sources").contains("only in the file");
  }

  @Test
  void ofConsultsNothingElse() {
    setProperty("multiproc.test.colour", "blue");
    BackendConfig config = BackendConfig.of("test", Map.of("size", "3"));
    assertThat(config.get("colour")).isEmpty();
    assertThat(config.get("from-file")).isEmpty();
    assertThat(config.get("size")).contains("3");
  }

  @Test
  void blankValuesCountAsUnsetAndValuesAreTrimmed() {
    setProperty("multiproc.test.colour", "   ");
    assertThat(BackendConfig.load("test").get("colour")).as("a blank property falls through to the file").contains("green");
    assertThat(BackendConfig.load("test").get("blank")).as("a blank value in the file").isEmpty();
    setProperty("multiproc.test.padded", "  4 ");
    assertThat(BackendConfig.load("test").get("padded")).contains("4");
    assertThat(inCode("n", " 5\t").getInt("n", 0)).isEqualTo(5);
  }

  @Test
  void valuesAreReadWhenAskedFor() {
    BackendConfig config = BackendConfig.load("test");
    assertThat(config.get("late")).isEmpty();
    setProperty("multiproc.test.late", "now");
    assertThat(config.get("late")).contains("now");
  }

  @Test
  void keysAndEnvironmentNames() {
    BackendConfig config = BackendConfig.load("process");
    assertThat(config.backend()).isEqualTo("process");
    assertThat(config.key("jvm-options")).isEqualTo("multiproc.process.jvm-options");
    assertThat(BackendConfig.environmentName("multiproc.process.jvm-options")).isEqualTo("MULTIPROC_PROCESS_JVM_OPTIONS");
    assertThat(BackendConfig.environmentName("multiproc.backend")).isEqualTo("MULTIPROC_BACKEND");
    assertThat(BackendConfig.environmentName("multiproc.virtual-thread.shutdown-timeout"))
        .isEqualTo("MULTIPROC_VIRTUAL_THREAD_SHUTDOWN_TIMEOUT");
    assertThat(new Setting("multiproc.backend", "thread", "system property").describe())
        .isEqualTo("multiproc.backend=thread (system property)");
    assertThat(BackendConfig.of("x", Map.of("a", "1"))).hasToString("BackendConfig{x, set in code: {a=1}}");
  }

  @Test
  void nullArguments() {
    assertThatNullPointerException().isThrownBy(() -> BackendConfig.load(null));
    assertThatNullPointerException().isThrownBy(() -> BackendConfig.of(null, Map.of()));
    assertThatNullPointerException().isThrownBy(() -> BackendConfig.load("test").with(null, "v"));
    assertThatNullPointerException().isThrownBy(() -> BackendConfig.load("test").with("o", null));
  }

  // ------------------------------------------------------------------ typed getters

  @Test
  void stringsAndDefaults() {
    assertThat(inCode("name", "x").getString("name", "d")).isEqualTo("x");
    assertThat(inCode("name", "x").getString("other", "d")).isEqualTo("d");
    assertThat(inCode("name", "x").getInt("other", 7)).isEqualTo(7);
    assertThat(inCode("name", "x").getBoolean("other", true)).isTrue();
    assertThat(inCode("name", "x").getDuration("other", Duration.ofSeconds(9))).hasSeconds(9);
    assertThat(inCode("name", "x").getList("other")).isEmpty();
  }

  @Test
  void integers() {
    assertThat(inCode("workers", "4").getInt("workers", 1)).isEqualTo(4);
    assertThat(inCode("workers", "-2").getInt("workers", 1)).isEqualTo(-2);
    assertThatIllegalArgumentException().isThrownBy(() -> inCode("workers", "four").getInt("workers", 1))
        .withMessage("multiproc.test.workers=four (set in code) is not valid: expected an integer, such as 4.");
    assertThatIllegalArgumentException().isThrownBy(() -> inCode("workers", "4.5").getInt("workers", 1))
        .withMessage("multiproc.test.workers=4.5 (set in code) is not valid: expected an integer, such as 4.");
  }

  @Test
  void integersNameTheSourceOfABadValue() {
    setProperty("multiproc.test.workers", "many");
    assertThatIllegalArgumentException().isThrownBy(() -> BackendConfig.load("test").getInt("workers", 1))
        .withMessage("multiproc.test.workers=many (system property) is not valid: expected an integer, such as 4.");
  }

  @Test
  void booleans() {
    assertThat(inCode("flag", "true").getBoolean("flag", false)).isTrue();
    assertThat(inCode("flag", "TRUE").getBoolean("flag", false)).isTrue();
    assertThat(inCode("flag", "False").getBoolean("flag", true)).isFalse();
    assertThatIllegalArgumentException().isThrownBy(() -> inCode("flag", "yes").getBoolean("flag", false))
        .withMessage("multiproc.test.flag=yes (set in code) is not valid: expected true or false.");
  }

  @Test
  void durations() {
    assertThat(inCode("t", "500ms").getDuration("t", null)).isEqualTo(Duration.ofMillis(500));
    assertThat(inCode("t", "30s").getDuration("t", null)).isEqualTo(Duration.ofSeconds(30));
    assertThat(inCode("t", "30 s").getDuration("t", null)).isEqualTo(Duration.ofSeconds(30));
    assertThat(inCode("t", "2m").getDuration("t", null)).isEqualTo(Duration.ofMinutes(2));
    assertThat(inCode("t", "1h").getDuration("t", null)).isEqualTo(Duration.ofHours(1));
    assertThat(inCode("t", "0s").getDuration("t", null)).isEqualTo(Duration.ZERO);
    assertThat(inCode("t", "PT1M").getDuration("t", null)).isEqualTo(Duration.ofMinutes(1));
    assertThat(inCode("t", "PT0.5S").getDuration("t", null)).isEqualTo(Duration.ofMillis(500));
    assertThat(inCode("t", "pt30s").getDuration("t", null)).as("ISO-8601 is case-insensitive").isEqualTo(Duration.ofSeconds(30));
    assertThat(inCode("t", "30S").getDuration("t", null)).as("units in any case").isEqualTo(Duration.ofSeconds(30));
    for (String bad : List.of("1.5s", "10d", "30", "-1s", "soon", "99999999999999999999ms")) {
      assertThatIllegalArgumentException().as(bad).isThrownBy(() -> inCode("t", bad).getDuration("t", null))
          .withMessage("multiproc.test.t=" + bad + " (set in code) is not valid: expected a duration, such as 500ms, 30s, 2m or PT30S.");
    }
    assertThatIllegalArgumentException().isThrownBy(() -> inCode("t", "PT-5S").getDuration("t", null))
        .withMessage("multiproc.test.t=PT-5S (set in code) is not valid: expected a duration that is not negative, "
            + "such as 500ms, 30s, 2m or PT30S.");
  }

  @Test
  void lists() {
    assertThat(inCode("o", "-Xmx256m \"-Dgreeting=hello world\"").getList("o"))
        .containsExactly("-Xmx256m", "-Dgreeting=hello world");
    assertThat(inCode("o", "  a\tb \n c  ").getList("o")).containsExactly("a", "b", "c");
    assertThat(inCode("o", "'single quoted' \"it's\"").getList("o")).containsExactly("single quoted", "it's");
    assertThat(inCode("o", "pre\"fix suf\"fix").getList("o")).as("quotes inside a word").containsExactly("prefix suffix");
    assertThat(inCode("o", "a \"\" b").getList("o")).as("an empty quoted word is kept").containsExactly("a", "", "b");
    assertThatIllegalArgumentException().isThrownBy(() -> inCode("jvm-options", "-Xmx1g \"-Da=b").getList("jvm-options"))
        .withMessage("multiproc.test.jvm-options=-Xmx1g \"-Da=b (set in code) is not valid: "
            + "expected words separated by spaces, with every quote (\") closed.");
    assertThatIllegalArgumentException().isThrownBy(() -> inCode("o", "it's").getList("o"))
        .withMessage("multiproc.test.o=it's (set in code) is not valid: "
            + "expected words separated by spaces, with every quote (') closed.");
  }
}
