package dev.multiproc.examples;

import dev.multiproc.Backend;
import dev.multiproc.Multiproc;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The same {@code Pool.map} on a cluster: starts two Hazelcast member JVMs on 127.0.0.1 (plain
 * Hazelcast, {@code com.hazelcast.core.server.HazelcastMemberStarter} with a generated
 * {@code hazelcast.xml}, this JVM's class path so that the function's class is there), connects
 * to them as a client ({@code multiproc.hazelcast.mode=client}), maps across them, and prints
 * which member computed what. Needs the hazelcast backend on the class path; run it by name:
 * {@code bin/run-examples cluster-map}. Both members are stopped at the end, also on failure.
 */
public final class ClusterMap {

  private static final List<String> HAZELCAST_JVM_OPTIONS = List.of("--add-modules", "java.se",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

  private ClusterMap() {}

  /**
   * Runs this example alone; takes the launcher's options.
   *
   * @param args the launcher's options
   */
  public static void main(String[] args) {
    Examples.runAlone("cluster-map", args);
  }

  /** The function: runs on a member; says which one. */
  static String square(int x) {
    return x + "^2 = " + (x * x) + " on member pid " + ProcessHandle.current().pid();
  }

  static void run(PrintStream out, Settings settings) throws Exception {
    String cluster = "multiproc-example-" + UUID.randomUUID();
    List<Integer> ports = freePorts(2);
    String members = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    List<Process> started = new ArrayList<>();
    Path dir = Files.createTempDirectory("multiproc-cluster-map");
    try {
      for (int port : ports) {
        started.add(startMember(dir, cluster, port, ports));
      }
      for (Process p : started) {
        awaitClusterOfTwo(p);
      }
      out.println("started 2 member JVMs (pids " + started.get(0).pid() + ", " + started.get(1).pid() + ") on " + members
          + ", cluster " + cluster);
      Map<String, String> settingsUsed = Map.of("multiproc.hazelcast.mode", "client",
          "multiproc.hazelcast.cluster-name", cluster, "multiproc.hazelcast.members", members);
      Map<String, String> previous = new LinkedHashMap<>();
      settingsUsed.forEach((k, v) -> previous.put(k, System.setProperty(k, v)));
      List<String> who;
      try (Backend hazelcast = Multiproc.open("hazelcast");
           Pool pool = hazelcast.newPool(PoolOptions.builder().workers(4).build())) {
        who = pool.map(ClusterMap::square, IntStream.range(0, 12).boxed().toList(), 2);
      } finally {
        previous.forEach((k, v) -> {
          if (v == null) {
            System.clearProperty(k);
          } else {
            System.setProperty(k, v);
          }
        });
      }
      who.forEach(out::println);
      Map<String, Long> perMember = who.stream()
          .collect(Collectors.groupingBy(s -> s.substring(s.lastIndexOf(' ') + 1), LinkedHashMap::new, Collectors.counting()));
      out.println("items per member pid: " + perMember + " (chunks of 2, sent round-robin)");
    } finally {
      for (Process p : started) {
        p.destroy(); // SIGTERM: Hazelcast's shutdown hook stops the member
      }
      for (Process p : started) {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  /** A member as a user would start one: plain Hazelcast, configured by a hazelcast.xml. */
  private static Process startMember(Path dir, String cluster, int port, List<Integer> ports) throws IOException {
    String xml = """
        <hazelcast xmlns="http://www.hazelcast.com/schema/config">
          <cluster-name>%s</cluster-name>
          <properties>
            <property name="hazelcast.phone.home.enabled">false</property>
            <property name="hazelcast.socket.bind.any">false</property>
            <property name="hazelcast.logging.type">jdk</property>
          </properties>
          <network>
            <port auto-increment="false">%d</port>
            <interfaces enabled="true"><interface>127.0.0.1</interface></interfaces>
            <join>
              <multicast enabled="false"/>
              <auto-detection enabled="false"/>
              <tcp-ip enabled="true">%s</tcp-ip>
            </join>
          </network>
        </hazelcast>
        """.formatted(cluster, port, ports.stream().map(p -> "<member>127.0.0.1:" + p + "</member>").collect(Collectors.joining()));
    Path config = dir.resolve("hazelcast-" + port + ".xml");
    Files.writeString(config, xml);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(HAZELCAST_JVM_OPTIONS);
    if (Runtime.version().feature() >= 24) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    cmd.addAll(List.of("-Xmx256m", "-Dhazelcast.config=" + config, "-cp", System.getProperty("java.class.path"),
        "com.hazelcast.core.server.HazelcastMemberStarter"));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  /** Reads the member's log until it reports a cluster of two; then drains it in the background. */
  private static void awaitClusterOfTwo(Process member) throws Exception {
    BufferedReader log = new BufferedReader(new InputStreamReader(member.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Boolean> formed = CompletableFuture.supplyAsync(() -> {
      try {
        for (String line = log.readLine(); line != null; line = log.readLine()) {
          if (line.contains("Members {size:2")) {
            return true;
          }
        }
        return false;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    if (!formed.get(90, TimeUnit.SECONDS)) {
      throw new IllegalStateException("member pid " + member.pid() + " exited before the cluster formed (exit " + member.waitFor() + ")");
    }
    Thread.ofPlatform().daemon(true).name("member-" + member.pid() + "-log").start(() -> {
      try {
        while (log.readLine() != null) {
          // the member's log is not part of the example's output
        }
      } catch (IOException e) {
        // the member has ended
      }
    });
  }

  private static List<Integer> freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

}
