package dev.multiproc.process;

import dev.multiproc.MultiprocException;
import dev.multiproc.spi.BackendConfig;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Where a child JVM finds the classes: the class path, and the module path when this JVM runs on
 * one; derived from where the classes of this JVM really are, not just from
 * {@code java.class.path}.
 *
 * <ul>
 *   <li>{@code multiproc.process.class-path}, when set, is the children's class path, and nothing
 *       else is looked at.
 *   <li>Otherwise the class loaders are read: the one that loaded multiproc and the thread's context
 *       class loader (which holds the application's classes under {@code mvn exec:java}, IDE
 *       runners, or a launcher of one's own), and their parents. The JVM's application class loader
 *       contributes {@code java.class.path}; a {@link URLClassLoader} its {@code file:} URLs. So
 *       under {@code mvn exec:java}, where {@code java.class.path} is Maven's
 *       {@code plexus-classworlds} jar, children get the project's class path.
 *   <li>When this JVM runs on the module path ({@code jdk.module.path}), children get the same
 *       module path with {@code --add-modules ALL-MODULE-PATH}, and start from multiproc's module
 *       with {@code -m} when multiproc itself is a named module. Options such as
 *       {@code --add-opens} are not visible to a running JVM: give them to children in
 *       {@code multiproc.process.jvm-options}.
 *   <li>What cannot work fails when the backend opens, naming {@code multiproc.process.class-path}:
 *       the single-file source launcher ({@code java App.java}, whose classes exist only in memory),
 *       multiproc loaded by a class loader whose class path cannot be read, or a class path entry
 *       that is not a file (a jar nested in a jar, as in Spring Boot's executable jars).
 * </ul>
 *
 * <p>A long class path is passed in an argument file ({@code @file}), which the {@code java}
 * launcher reads, so that it never meets the operating system's limit on a command line.
 *
 * @param classPath the children's {@code -cp}, entries separated by {@link File#pathSeparator}
 * @param modulePath the children's {@code --module-path}, or empty when this JVM has none
 * @param upgradeModulePath the children's {@code --upgrade-module-path}, or empty
 * @param mainModule the module of {@link ChildMain} when it is a named module on the module path,
 *     or empty to start it from the class path
 */
record ChildClassPath(String classPath, String modulePath, String upgradeModulePath, String mainModule) {

  /** The key that sets the class path by hand; every message about class paths names it. */
  static final String KEY = "multiproc.process.class-path";

  /** Longer class paths go to an argument file: well below Windows' 32K and Linux's 128K per argument. */
  static final int ARGFILE_THRESHOLD = 16_000;

  /**
   * The children's class path from {@code multiproc.process.class-path}, or else derived from this
   * JVM's class loaders and properties.
   *
   * @throws MultiprocException if this JVM's classes are where no child can load them
   */
  static ChildClassPath from(BackendConfig config) {
    Optional<String> set = config.get("class-path");
    if (set.isPresent()) {
      return new ChildClassPath(set.get(), "", "", "");
    }
    return derive(ChildMain.class, Thread.currentThread().getContextClassLoader(), System.getProperties());
  }

  /**
   * Derives where children find the classes.
   *
   * @param anchor a class of multiproc's process backend (its loader must be readable)
   * @param context the thread's context class loader, may be null
   * @param properties this JVM's system properties ({@code java.class.path}, {@code jdk.module.path},
   *     {@code sun.java.command}, {@code jdk.launcher.sourcefile})
   * @throws MultiprocException naming {@value #KEY} if children cannot be given the classes
   */
  static ChildClassPath derive(Class<?> anchor, ClassLoader context, Properties properties) {
    rejectSourceLauncher(context, properties);
    Module module = anchor.getModule();
    String mainModule = "";
    if (module.isNamed()) {
      if (module.getLayer() != ModuleLayer.boot()) {
        throw new MultiprocException("multiproc's module " + module.getName() + " was loaded in a module layer"
            + " of its own, which child JVMs cannot rebuild. Set " + KEY + " to a class path that holds"
            + " multiproc-process-backend, its dependencies and your task classes.");
      }
      mainModule = module.getName(); // on the module path, or linked into the runtime image
    }
    Set<String> entries = new LinkedHashSet<>();
    // multiproc's own loader must be readable, or no child can start: fail now.
    collect(anchor.getClassLoader(), properties, entries, problem -> {
      throw new MultiprocException(problem + " Set " + KEY + " to a class path that holds"
          + " multiproc-process-backend, its dependencies and your task classes (entries separated by '"
          + File.pathSeparator + "').");
    });
    // The context loader holds the application's classes under exec:java, IDE runners and
    // launchers; a child needs them for the tasks it runs, but a loader that hides them may
    // hold nothing a task uses: warn.
    if (context != null && context != anchor.getClassLoader()) {
      collect(context, properties, entries, problem -> ProcessLog.LOG.log(System.Logger.Level.WARNING, problem
          + " It is this thread's context class loader: tasks whose classes only it holds will not load in"
          + " child JVMs. Set " + KEY + " if they need them."));
    }
    return new ChildClassPath(String.join(File.pathSeparator, entries),
        properties.getProperty("jdk.module.path", ""), properties.getProperty("jdk.module.upgrade.path", ""),
        mainModule);
  }

  /**
   * Adds the class path of {@code loader} and its parents, parents first; tells {@code problems}
   * about every loader or entry that children cannot be given.
   */
  private static void collect(ClassLoader loader, Properties properties, Set<String> entries,
      java.util.function.Consumer<String> problems) {
    List<ClassLoader> chain = new ArrayList<>();
    for (ClassLoader l = loader; l != null && l != ClassLoader.getPlatformClassLoader(); l = l.getParent()) {
      chain.add(0, l);
    }
    for (ClassLoader l : chain) {
      if (isApplicationLoader(l)) {
        for (String e : properties.getProperty("java.class.path", "").split(File.pathSeparator)) {
          if (!e.isEmpty()) {
            entries.add(e);
          }
        }
      } else if (l instanceof URLClassLoader u) {
        for (URL url : u.getURLs()) {
          Optional<String> file = fileOf(url);
          if (file.isPresent()) {
            entries.add(file.get());
          } else {
            problems.accept(describe(l) + " holds " + url + ", which is not a file, so child JVMs cannot load"
                + " classes from it (a jar nested in a jar, as in an executable Spring Boot jar, is one such;"
                + " unpack it and list its classes directory and library jars).");
          }
        }
      } else {
        problems.accept(describe(l) + " does not say where its classes are, so child JVMs cannot be given"
            + " them.");
      }
    }
  }

  /** The JVM's built-in application class loader, whose class path is {@code java.class.path}. */
  private static boolean isApplicationLoader(ClassLoader l) {
    return l.getClass().getName().equals("jdk.internal.loader.ClassLoaders$AppClassLoader");
  }

  private static Optional<String> fileOf(URL url) {
    if (url.getProtocol().equals("file")) {
      try {
        return Optional.of(Path.of(url.toURI()).toString());
      } catch (URISyntaxException | IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static String describe(ClassLoader l) {
    String name = l.getName();
    return "the class loader " + (name == null ? "" : "\"" + name + "\" ") + "(" + l.getClass().getName() + ")";
  }

  private static void rejectSourceLauncher(ClassLoader context, Properties properties) {
    String command = properties.getProperty("sun.java.command", "");
    boolean sourceLauncher = properties.getProperty("jdk.launcher.sourcefile") != null
        || command.startsWith("com.sun.tools.javac.launcher.")
        || command.startsWith("jdk.compiler/com.sun.tools.javac.launcher.");
    for (ClassLoader l = context; l != null && !sourceLauncher; l = l.getParent()) {
      sourceLauncher = l.getClass().getName().startsWith("com.sun.tools.javac.launcher.");
    }
    if (sourceLauncher) {
      throw new MultiprocException("this program runs from source (java App.java): its classes exist only in this"
          + " JVM's memory, where child JVMs cannot load them. Compile it and run it from a class path"
          + " (javac -d classes -cp <libraries> App.java; java -cp classes" + File.pathSeparator
          + "<libraries> App), or set " + KEY + " to a class path that holds compiled copies of its task classes"
          + " and multiproc-process-backend with its dependencies.");
    }
  }

  /** Whether children start from the module path. */
  boolean onModulePath() {
    return !modulePath.isEmpty();
  }

  /**
   * The arguments that tell a child where the classes are and start {@link ChildMain}: the last
   * ones on its command line.
   *
   * @param argFileDir where to write an argument file if the class path is long
   */
  List<String> arguments(Path argFileDir) {
    List<String> paths = new ArrayList<>();
    if (!upgradeModulePath.isEmpty()) {
      paths.add("--upgrade-module-path");
      paths.add(upgradeModulePath);
    }
    if (!modulePath.isEmpty()) {
      paths.add("--module-path");
      paths.add(modulePath);
      paths.add("--add-modules");
      paths.add("ALL-MODULE-PATH");
    }
    if (!classPath.isEmpty() || mainModule.isEmpty()) {
      paths.add("-cp");
      paths.add(classPath);
    }
    List<String> args = new ArrayList<>();
    if (paths.stream().mapToInt(String::length).sum() > ARGFILE_THRESHOLD) {
      args.add("@" + argFile(argFileDir, paths));
    } else {
      args.addAll(paths);
    }
    if (mainModule.isEmpty()) {
      args.add(ChildMain.class.getName());
    } else {
      args.add("-m");
      args.add(mainModule + "/" + ChildMain.class.getName());
    }
    return args;
  }

  /** Writes {@code args} to an argument file that is deleted when this JVM exits. */
  private static Path argFile(Path dir, List<String> args) {
    StringBuilder b = new StringBuilder();
    for (String a : args) {
      // In an argument file a quoted argument may hold spaces; backslashes and quotes are escaped.
      b.append('"').append(a.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
    }
    try {
      Files.createDirectories(dir);
      Path file = Files.createTempFile(dir, "child-", ".args");
      file.toFile().deleteOnExit();
      Files.writeString(file, b, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the child JVMs' class path to an argument file in " + dir
          + " (the class path is too long for a command line); set multiproc.process.cds-dir to a writable"
          + " directory", e);
    }
  }
}
