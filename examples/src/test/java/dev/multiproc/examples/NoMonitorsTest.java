package dev.multiproc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Backend;
import dev.multiproc.BackendInfo;
import dev.multiproc.Multiproc;
import dev.multiproc.engine.LocalBackend;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The static guard against pinning on JDK 21-23, where a virtual thread that blocks while it holds
 * a monitor pins its carrier: no {@code dev.multiproc} class of the api, the engine or any backend
 * on this module's class path (every one this project ships; the process backend's parent-side hub
 * serves children's calls on virtual threads) has a {@code synchronized} method
 * ({@code ACC_SYNCHRONIZED}) or block ({@code monitorenter}). Reads the bytecode with {@code javap}, so it checks what runs, whatever
 * JDK runs the test. The control case proves that the guard finds both forms.
 */
@Timeout(60)
class NoMonitorsTest {

  @Test
  void noMainClassOfAnyModuleUsesAMonitor() throws Exception {
    List<String> found = new ArrayList<>();
    int classes = 0;
    List<Class<?>> anchors = new ArrayList<>(List.of(Backend.class, LocalBackend.class));
    for (BackendInfo provider : Multiproc.providers()) {
      anchors.add(Class.forName(provider.provider()));
    }
    assertThat(anchors).as("the api, the engine and the backends").hasSizeGreaterThanOrEqualTo(5);
    for (Class<?> anchor : anchors) {
      Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
      List<String> names = classNames(root);
      assertThat(names).as("classes in %s", root).contains(anchor.getName());
      classes += names.size();
      found.addAll(monitorUses(root, names));
    }
    assertThat(classes).isGreaterThan(60);
    assertThat(found).as("synchronized methods and blocks in dev.multiproc main code").isEmpty();
  }

  @Test
  void theGuardFindsSynchronizedMethodsAndBlocks() throws Exception {
    Path root = Path.of(UsesMonitors.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> found = monitorUses(root, List.of(UsesMonitors.class.getName()));
    assertThat(found).containsExactlyInAnyOrder(
        UsesMonitors.class.getName() + ".method: synchronized method",
        UsesMonitors.class.getName() + ".block: monitorenter");
  }

  /** The control: one synchronized method, one synchronized block. */
  static final class UsesMonitors {
    private final Object lock = new Object();
    private int count;

    synchronized void method() {
      count++;
    }

    void block() {
      synchronized (lock) {
        count++;
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  /** The {@code dev.multiproc} classes in a jar or class directory. */
  private static List<String> classNames(Path root) throws IOException {
    List<String> entries = new ArrayList<>();
    if (Files.isDirectory(root)) {
      try (Stream<Path> files = Files.walk(root)) {
        files.filter(p -> p.toString().endsWith(".class"))
            .forEach(p -> entries.add(root.relativize(p).toString().replace(root.getFileSystem().getSeparator(), "/")));
      }
    } else {
      try (JarFile jar = new JarFile(root.toFile())) {
        entries.addAll(Collections.list(jar.entries()).stream().map(e -> e.getName()).toList());
      }
    }
    return entries.stream()
        .filter(n -> n.startsWith("dev/multiproc/") && n.endsWith(".class") && !n.endsWith("module-info.class"))
        .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
        .sorted()
        .toList();
  }

  private static final Pattern CLASS = Pattern.compile("^(?:.* )?(?:class|interface|enum|record) ([\\w.$]+).*\\{$");
  private static final Pattern METHOD = Pattern.compile("^  (?! )(?:[\\w.$<>\\[\\], ?]+ )?([\\w.$<>]+)\\([^/]*\\)[^/]*;$");
  private static final Pattern MONITORENTER = Pattern.compile("^\\s+\\d+: monitorenter\\b.*");

  /** Every synchronized method and every method with a synchronized block, as "Class.method: what". */
  private static List<String> monitorUses(Path root, List<String> classNames) throws URISyntaxException {
    ToolProvider javap = ToolProvider.findFirst("javap")
        .orElseThrow(() -> new AssertionError("javap is not available: run the tests on a JDK, not a JRE"));
    List<String> args = new ArrayList<>(List.of("-c", "-p", "-cp", root.toString()));
    args.addAll(classNames);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = javap.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
    assertThat(status).as("javap failed: %s", err).isZero();
    List<String> found = new ArrayList<>();
    String currentClass = "?";
    String currentMethod = "?";
    for (String line : out.toString().split("\\R")) {
      Matcher c = CLASS.matcher(line);
      Matcher m = METHOD.matcher(line);
      if (c.matches()) {
        currentClass = c.group(1);
      } else if (m.matches()) {
        currentMethod = m.group(1);
        if (line.contains(" synchronized ")) {
          found.add(currentClass + "." + currentMethod + ": synchronized method");
        }
      } else if (MONITORENTER.matcher(line).matches()) {
        found.add(currentClass + "." + currentMethod + ": monitorenter");
      }
    }
    return found;
  }
}
