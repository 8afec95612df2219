package dev.multiproc.launchtest;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Launches a main class the way {@code mvn exec:java} does: {@code java.class.path} is only this
 * launcher (Maven's plexus-classworlds jar, there), and the application's class path lives in a
 * {@link URLClassLoader} that becomes the thread's context class loader.
 *
 * <p>Arguments: the application's class path, its main class, then its arguments.
 */
public final class ExecJavaLauncher {

  private ExecJavaLauncher() {}

  public static void main(String[] args) throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String e : args[0].split(File.pathSeparator)) {
      urls.add(new File(e).toURI().toURL());
    }
    // Left open, as exec:java leaves it: the backend's shutdown hook still loads classes from it.
    URLClassLoader app = new URLClassLoader("exec-java", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    Thread.currentThread().setContextClassLoader(app);
    Method main = app.loadClass(args[1]).getMethod("main", String[].class);
    main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
  }
}
