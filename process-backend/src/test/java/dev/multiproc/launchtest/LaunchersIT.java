package dev.multiproc.launchtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Multiproc;
import dev.multiproc.engine.AbstractPool;
import dev.multiproc.process.ChildMain;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process backend finds the classes however the application was launched, with no
 * {@code multiproc.process.class-path}: as {@code mvn exec:java} does (the classes in a
 * {@link java.net.URLClassLoader}, {@code java.class.path} elsewhere), as a fat jar
 * ({@code java -jar}), on the module path; and the single-file source launcher, which cannot work,
 * fails at once naming the setting. Each case runs {@link ClassPathApp} in a fresh JVM.
 */
@Timeout(180)
class LaunchersIT {

  private static final String JAVA = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";

  @TempDir
  Path temp;

  /** A finished JVM: exit code and everything it printed. */
  private record Run(int exit, String output) {}

  private Run run(List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(JAVA);
    command.add("-Dmultiproc.backend=process");
    command.add("-Dmultiproc.process.cds-dir=" + temp.resolve("cds"));
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    return new Run(p.waitFor(), new String(out, StandardCharsets.UTF_8));
  }

  private static void assertRanInChildren(Run r) {
    assertThat(r.output()).contains("RESULT [1, 4, 9, 16] in-children");
    assertThat(r.exit()).as(r.output()).isZero();
  }

  /** Where the classes of multiproc (api, engine, process backend) and of this test are. */
  private static List<Path> classLocations() throws Exception {
    List<Path> l = new ArrayList<>();
    for (Class<?> c : List.of(Multiproc.class, AbstractPool.class, ChildMain.class, ClassPathApp.class)) {
      l.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
    }
    return l;
  }

  @Test
  void execJavaStyleLaunchFindsTheClassesInTheContextClassLoader() throws Exception {
    // java.class.path is a jar holding only the launcher, named as Maven's own launcher jar.
    Path launcherJar = temp.resolve("plexus-classworlds-2.9.0.jar");
    try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(launcherJar))) {
      addClass(jar, ExecJavaLauncher.class);
    }
    String appClassPath = String.join(File.pathSeparator, classLocations().stream().map(Path::toString).toList());
    assertRanInChildren(run(List.of("-cp", launcherJar.toString(), ExecJavaLauncher.class.getName(), appClassPath,
        ClassPathApp.class.getName())));
  }

  @Test
  void aFatJarRunsWithJavaDashJar() throws Exception {
    Path fat = temp.resolve("app-all.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, ClassPathApp.class.getName());
    Set<String> seen = new HashSet<>();
    try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(fat), manifest)) {
      seen.add(JarFile.MANIFEST_NAME);
      for (Path location : classLocations()) {
        copyAll(location, jar, seen, location.endsWith("test-classes") ? "dev/multiproc/launchtest/ClassPathApp" : "");
      }
    }
    assertRanInChildren(run(List.of("-jar", fat.toString())));
  }

  @Test
  void onTheModulePathChildrenRunOnTheModulePath() throws Exception {
    // Each location as a jar: a jar without module-info is an automatic module; the app's
    // package is its own, so no package is split.
    List<String> modulePath = new ArrayList<>();
    List<String> names = List.of("multiproc-api", "multiproc-engine", "multiproc-process", "app");
    List<Path> locations = classLocations();
    for (int i = 0; i < names.size(); i++) {
      Path jarFile = temp.resolve("mods").resolve(names.get(i) + ".jar");
      Files.createDirectories(jarFile.getParent());
      try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(jarFile))) {
        copyAll(locations.get(i), jar, new HashSet<>(), i == 3 ? "dev/multiproc/launchtest/ClassPathApp" : "");
      }
      modulePath.add(jarFile.toString());
    }
    assertRanInChildren(run(List.of("--module-path", String.join(File.pathSeparator, modulePath),
        "--add-modules", "ALL-MODULE-PATH", "-m", "app/" + ClassPathApp.class.getName())));
  }

  @Test
  void theSourceLauncherFailsAtOnceNamingTheSetting() throws Exception {
    Path source = temp.resolve("App.java");
    Files.writeString(source, """
        import dev.multiproc.Multiproc;
        import java.util.List;
        public class App {
          public static void main(String[] args) {
            System.out.println(Multiproc.pool(2).map(x -> x + 1, List.of(1, 2)));
          }
        }
        """);
    List<Path> locations = classLocations().subList(0, 3);
    Run r = run(List.of("-cp", String.join(File.pathSeparator, locations.stream().map(Path::toString).toList()),
        source.toString()));
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains("runs from source (java App.java)", "multiproc.process.class-path");
  }

  // ------------------------------------------------------------------ jars

  private static void addClass(JarOutputStream jar, Class<?> c) throws IOException {
    String name = c.getName().replace('.', '/') + ".class";
    jar.putNextEntry(new JarEntry(name));
    try (InputStream in = c.getClassLoader().getResourceAsStream(name)) {
      in.transferTo(jar);
    }
    jar.closeEntry();
  }

  /**
   * Copies a class directory or jar into {@code jar}; with a {@code prefix}, only the entries
   * whose names start with it (and their directories are implied).
   */
  private static void copyAll(Path location, JarOutputStream jar, Set<String> seen, String prefix) throws IOException {
    if (Files.isDirectory(location)) {
      try (Stream<Path> files = Files.walk(location)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          String name = location.relativize(f).toString().replace(File.separatorChar, '/');
          if (name.startsWith(prefix) && seen.add(name)) {
            jar.putNextEntry(new JarEntry(name));
            Files.copy(f, jar);
            jar.closeEntry();
          }
        }
      }
    } else {
      try (JarFile in = new JarFile(location.toFile())) {
        for (JarEntry e : in.stream().filter(e -> !e.isDirectory()).toList()) {
          if (e.getName().startsWith(prefix) && !e.getName().equals(JarFile.MANIFEST_NAME) && seen.add(e.getName())) {
            jar.putNextEntry(new JarEntry(e.getName()));
            try (InputStream data = in.getInputStream(e)) {
              data.transferTo(jar);
            }
            jar.closeEntry();
          }
        }
      }
    }
  }
}
