package dev.multiproc.hazelcast;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link PlainMember} JVMs started by a test on 127.0.0.1, each shut down by {@link #close()} (its
 * stdin closed, then killed if it lingers), also when the test fails.
 */
final class MemberProcesses implements AutoCloseable {

  /** The options that keep Hazelcast from warning about the module system. */
  static final List<String> HAZELCAST_JVM_OPTIONS = List.of("--add-modules", "java.se",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

  final String cluster;
  final List<Integer> ports;
  private final List<Process> processes = new ArrayList<>();

  /**
   * @param cluster the cluster's name
   * @param count how many ports to reserve (members that may be started)
   */
  MemberProcesses(String cluster, int count) {
    this.cluster = cluster;
    this.ports = freePorts(count);
  }

  /** @return host:port of every reserved port, comma-separated */
  String members() {
    return String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
  }

  /**
   * Starts the member on reserved port {@code index}; returns once it has started.
   *
   * @return its process
   */
  Process start(int index, Duration timeout) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    cmd.addAll(HAZELCAST_JVM_OPTIONS);
    if (Runtime.version().feature() >= 24) {
      cmd.add("--sun-misc-unsafe-memory-access=allow"); // Hazelcast's shaded JCTools; JVMs before 23 refuse the flag
    }
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(PlainMember.class.getName());
    cmd.add(cluster);
    cmd.add(Integer.toString(ports.get(index)));
    cmd.add(members());
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    processes.add(p);
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
      try {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          if (line.startsWith("READY")) {
            return line;
          }
        }
        return null;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    try {
      if (ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS) == null) {
        throw new IllegalStateException("member " + index + " exited before it was ready: exit " + p.waitFor());
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("member " + index + " did not start within " + timeout, e);
    }
    Thread.ofPlatform().daemon(true).name("member-" + index + "-stdout").start(() -> {
      try {
        while (out.readLine() != null) {
          // drain
        }
      } catch (IOException e) {
        // gone
      }
    });
    return p;
  }

  @Override
  public void close() {
    boolean interrupted = false;
    for (Process p : processes) {
      try {
        p.getOutputStream().close(); // the member shuts down when its stdin ends
      } catch (IOException e) {
        // already gone
      }
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        interrupted = true;
        p.destroyForcibly();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<Integer> freePorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          s.close();
        } catch (IOException e) {
          // nothing to do
        }
      }
    }
  }
}
