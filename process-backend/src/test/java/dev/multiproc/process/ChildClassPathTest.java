package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Backend;
import dev.multiproc.MultiprocException;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.spi.BackendConfig;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Where children find the classes, for each way the parent's classes can have been loaded. */
@Timeout(120)
class ChildClassPathTest {

  private static final String CLASSWORLDS = "/opt/maven/boot/plexus-classworlds-2.9.0.jar";

  @TempDir
  Path temp;

  private static Properties properties(String javaClassPath) {
    Properties p = new Properties();
    p.setProperty("java.class.path", javaClassPath);
    return p;
  }

  /** This JVM's class path as URLs, as exec:java's loader holds the project's. */
  private static URL[] realClassPath() throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      urls.add(Path.of(e).toUri().toURL());
    }
    return urls.toArray(URL[]::new);
  }

  private static List<String> realEntries() {
    return List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
        .map(e -> Path.of(e).toString()).toList();
  }

  @Test
  void theApplicationClassLoaderGivesJavaClassPath() {
    ChildClassPath c = ChildClassPath.derive(ChildMain.class, ClassLoader.getSystemClassLoader(),
        properties(System.getProperty("java.class.path")));
    assertThat(c.classPath()).isEqualTo(System.getProperty("java.class.path"));
    assertThat(c.arguments(temp)).containsExactly("-cp", c.classPath(), ChildMain.class.getName());
  }

  @Test
  void execJavaStyleTheClassesComeFromTheirUrlClassLoaderNotFromJavaClassPath() throws Exception {
    // mvn exec:java: java.class.path is Maven's launcher jar; the project is in a URLClassLoader.
    try (URLClassLoader app = new URLClassLoader("exec-java", realClassPath(), ClassLoader.getPlatformClassLoader())) {
      Class<?> anchor = app.loadClass(ChildMain.class.getName());
      assertThat(anchor.getClassLoader()).isSameAs(app);
      ChildClassPath c = ChildClassPath.derive(anchor, app, properties(CLASSWORLDS));
      assertThat(c.classPath().split(File.pathSeparator)).containsExactlyElementsOf(realEntries());
    }
  }

  @Test
  void aUrlClassLoaderUnderTheApplicationLoaderAddsItsEntriesAfterJavaClassPath() throws Exception {
    Path plugins = Files.createDirectories(temp.resolve("plugins"));
    try (URLClassLoader plugin = new URLClassLoader(new URL[] {plugins.toUri().toURL()}, ClassLoader.getSystemClassLoader())) {
      ChildClassPath c = ChildClassPath.derive(ChildMain.class, plugin, properties("/app/a.jar" + File.pathSeparator + "/app/b.jar"));
      assertThat(c.classPath().split(File.pathSeparator)).containsExactly("/app/a.jar", "/app/b.jar", plugins.toString());
    }
  }

  @Test
  void multiprocInAClassLoaderThatHidesItsClassPathFailsNamingTheSetting() throws Exception {
    ClassLoader custom = new BytesLoader(ChildMain.class);
    Class<?> anchor = custom.loadClass(ChildMain.class.getName());
    assertThat(anchor.getClassLoader()).isSameAs(custom);
    assertThatThrownBy(() -> ChildClassPath.derive(anchor, custom, properties(CLASSWORLDS)))
        .isInstanceOf(MultiprocException.class)
        .hasMessageContaining("\"custom\" (" + BytesLoader.class.getName() + ")")
        .hasMessageContaining("does not say where its classes are")
        .hasMessageContaining("multiproc.process.class-path");
  }

  @Test
  void aCustomContextClassLoaderThatHidesItsClassPathIsPassedOver() throws Exception {
    ClassLoader custom = new BytesLoader(ChildMain.class);
    ChildClassPath c = ChildClassPath.derive(ChildMain.class, custom, properties("/app/a.jar"));
    assertThat(c.classPath()).isEqualTo("/app/a.jar"); // and a WARNING names the setting
  }

  @Test
  void aJarNestedInAJarFailsNamingTheSetting() throws Exception {
    // Spring Boot style: an entry that is not a file. Never opened: the class is found first.
    URL[] urls = realClassPath();
    URL[] withNested = java.util.Arrays.copyOf(urls, urls.length + 1);
    withNested[urls.length] = java.net.URI.create("jar:file:/app/boot.jar!/BOOT-INF/lib/lib.jar!/").toURL();
    try (URLClassLoader boot = new URLClassLoader("boot", withNested, ClassLoader.getPlatformClassLoader())) {
      Class<?> anchor = boot.loadClass(ChildMain.class.getName());
      assertThatThrownBy(() -> ChildClassPath.derive(anchor, boot, properties("/app/boot.jar")))
          .isInstanceOf(MultiprocException.class)
          .hasMessageContaining("jar:file:/app/boot.jar!/BOOT-INF/lib/lib.jar!/")
          .hasMessageContaining("which is not a file")
          .hasMessageContaining("multiproc.process.class-path");
    }
  }

  @Test
  void theSourceLauncherFailsNamingTheSetting() {
    Properties p = properties("/app/multiproc.jar");
    p.setProperty("jdk.launcher.sourcefile", "/home/me/App.java");
    assertThatThrownBy(() -> ChildClassPath.derive(ChildMain.class, ClassLoader.getSystemClassLoader(), p))
        .isInstanceOf(MultiprocException.class)
        .hasMessageContaining("java App.java")
        .hasMessageContaining("multiproc.process.class-path");
    Properties jdk21 = properties("/app/multiproc.jar");
    jdk21.setProperty("sun.java.command", "com.sun.tools.javac.launcher.Main App.java");
    assertThatThrownBy(() -> ChildClassPath.derive(ChildMain.class, ClassLoader.getSystemClassLoader(), jdk21))
        .hasMessageContaining("multiproc.process.class-path");
  }

  @Test
  void onTheModulePathChildrenGetTheModulePath() {
    Properties p = properties("");
    p.setProperty("jdk.module.path", "/mods/a.jar" + File.pathSeparator + "/mods/b.jar");
    ChildClassPath unnamed = ChildClassPath.derive(ChildMain.class, ClassLoader.getSystemClassLoader(), p);
    assertThat(unnamed.onModulePath()).isTrue();
    assertThat(unnamed.arguments(temp)).containsExactly("--module-path", "/mods/a.jar" + File.pathSeparator + "/mods/b.jar",
        "--add-modules", "ALL-MODULE-PATH", "-cp", "", ChildMain.class.getName());
    ChildClassPath named = new ChildClassPath("", "/mods", "", "dev.multiproc.process");
    assertThat(named.arguments(temp)).containsExactly("--module-path", "/mods", "--add-modules", "ALL-MODULE-PATH",
        "-m", "dev.multiproc.process/" + ChildMain.class.getName());
  }

  @Test
  void onTheModulePathThereIsNoCdsArchive() {
    ProcessSettings s = new ProcessSettings("java", List.of(), new ChildClassPath("", "/mods", "", "m"),
        java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1), false, temp, 0, true);
    assertThat(CdsArchive.of(s, s.cds(), temp)).isNull();
  }

  @Test
  void theSettingWinsOverEverything() {
    ChildClassPath c = ChildClassPath.from(BackendConfig.of("process", Map.of("class-path", "/only/this.jar")));
    assertThat(c.classPath()).isEqualTo("/only/this.jar");
    assertThat(c.onModulePath()).isFalse();
  }

  @Test
  void aLongClassPathGoesInAnArgumentFileThatChildrenRead() throws Exception {
    StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
    for (int i = 0; cp.length() <= 2 * ChildClassPath.ARGFILE_THRESHOLD; i++) {
      cp.append(File.pathSeparator).append(temp.resolve("no such dir with spaces " + i).resolve("lib-" + i + ".jar"));
    }
    ChildClassPath c = new ChildClassPath(cp.toString(), "", "", "");
    List<String> args = c.arguments(temp);
    assertThat(args).hasSize(2);
    assertThat(args.get(0)).startsWith("@");
    Backend b = new ProcessBackendProvider().open(BackendConfig.of("process",
        Map.of("class-path", cp.toString(), "cds-dir", temp.toString())));
    try (Pool p = b.newPool(PoolOptions.builder().workers(1).build())) {
      assertThat(p.<Integer, Integer>map(x -> x + 1, List.of(1, 2, 3))).containsExactly(2, 3, 4);
    } finally {
      b.close();
    }
  }

  /** A class loader that defines one class from its bytes and says nothing about where it came from. */
  private static final class BytesLoader extends ClassLoader {
    private final Class<?> only;

    BytesLoader(Class<?> only) {
      super("custom", ClassLoader.getSystemClassLoader());
      this.only = only;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.equals(only.getName())) {
        return super.loadClass(name, resolve);
      }
      Class<?> c = findLoadedClass(name);
      if (c != null) {
        return c;
      }
      try (InputStream in = only.getResourceAsStream(only.getSimpleName() + ".class")) {
        byte[] b = in.readAllBytes();
        return defineClass(name, b, 0, b.length);
      } catch (IOException e) {
        throw new ClassNotFoundException(name, e);
      }
    }
  }
}
