package dev.multiproc.benchmarks;

import dev.multiproc.Backend;
import dev.multiproc.Multiproc;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The hazelcast backend over 3 local member JVMs against the process backend, by hand:
 * {@code Pool.map} throughput, and the time to recover from a member killed with SIGKILL mid-map.
 * Prints {@code RESULT <name> <median> <best> <unit>} lines.
 *
 * <ul>
 *   <li>{@code map}: {@code map(x -> x + 1)} over 200,000 items, chunks of 1,000, 6 workers, on
 *       {@code process} (6 child JVMs) and on a client of 3 plain Hazelcast members (items/s)
 *   <li>{@code map-cpu}: the same with about 50 µs of arithmetic per item over 40,000 items (items/s)
 *   <li>{@code queue}: a worker puts 20,000 ints on a Queue one by one, this JVM gets them (items/s)
 *   <li>{@code recover}: 3 workers, one per member, map items of 200 ms each (chunk 1); SIGKILL one
 *       member while all three are busy; the time from the kill until the item that member was
 *       running has been re-run elsewhere, minus the item's own 200 ms (ms)
 * </ul>
 *
 * Usage: {@code java -cp benchmarks.jar dev.multiproc.benchmarks.ClusterBench [rounds [map|queue|recover...]]}
 */
public final class ClusterBench {

  private static final List<String> HAZELCAST_JVM_OPTIONS = List.of("--add-modules", "java.se",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

  private ClusterBench() {}

  /**
   * Runs the measurements.
   *
   * @param args {@code [rounds]}, default 5
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Set<String> what = args.length > 1 ? Set.of(Arrays.copyOfRange(args, 1, args.length)) : Set.of("map", "queue", "recover");
    try (Backend process = Multiproc.open("process")) {
      if (what.contains("map")) {
        measure("map/process", process, rounds, 200_000, 0);
        measure("map-cpu/process", process, rounds, 40_000, 50);
      }
      if (what.contains("queue")) {
        queue("queue/process", process, rounds, 20_000);
      }
    }
    String cluster = "multiproc-bench-" + UUID.randomUUID();
    List<Integer> ports = freePorts(3);
    Path dir = Files.createTempDirectory("multiproc-bench");
    List<Process> members = new ArrayList<>();
    try {
      for (int port : ports) {
        members.add(startMember(dir, cluster, port, ports));
      }
      for (Process m : members) {
        await(m, "Members {size:3");
      }
      System.setProperty("multiproc.hazelcast.mode", "client");
      System.setProperty("multiproc.hazelcast.cluster-name", cluster);
      System.setProperty("multiproc.hazelcast.members", ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
      System.setProperty("multiproc.hazelcast.heartbeat-timeout", "5s");
      try (Backend hz = Multiproc.open("hazelcast")) {
        if (what.contains("map")) {
          measure("map/hazelcast-3-members", hz, rounds, 200_000, 0);
          measure("map-cpu/hazelcast-3-members", hz, rounds, 40_000, 50);
        }
        if (what.contains("queue")) {
          queue("queue/hazelcast-3-members", hz, rounds, 20_000);
        }
        if (what.contains("recover")) {
          recover(hz, members);
        }
      }
    } finally {
      for (Process m : members) {
        m.destroy();
      }
      for (Process m : members) {
        if (!m.waitFor(20, TimeUnit.SECONDS)) {
          m.destroyForcibly();
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

  static long work(int x, int micros) {
    if (micros == 0) {
      return x + 1;
    }
    long end = System.nanoTime() + micros * 1000L;
    long acc = x;
    while (System.nanoTime() < end) {
      acc = acc * 6364136223846793005L + 1442695040888963407L;
    }
    return acc == 42 ? 0 : x + 1;
  }

  private static void measure(String name, Backend backend, int rounds, int n, int micros) {
    List<Integer> items = IntStream.range(0, n).boxed().toList();
    double[] rates = new double[rounds];
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(6).build())) {
      pool.map(x -> work(x, micros), items.subList(0, Math.min(n, 20_000)), 1000); // warm-up
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        List<Long> out = pool.map(x -> work(x, micros), items, 1000);
        long t1 = System.nanoTime();
        if (out.size() != n || out.get(n - 1) != n) {
          throw new AssertionError("wrong results");
        }
        rates[r] = n / ((t1 - t0) / 1e9);
      }
    }
    Arrays.sort(rates);
    System.out.printf("RESULT %s %.0f %.0f items/s%n", name, rates[rounds / 2], rates[rounds - 1]);
  }

  /** A worker (on a member, or in a child JVM) puts {@code n} ints on a Queue; this JVM gets them. */
  private static void queue(String name, Backend backend, int rounds, int n) throws Exception {
    double[] rates = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      Queue<Integer> q = backend.newQueue(0);
      dev.multiproc.Worker w = backend.newWorker(() -> {
        for (int i = 0; i < n; i++) {
          q.put(i);
        }
      }, dev.multiproc.WorkerOptions.defaults()).start();
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        if (q.get() != i) {
          throw new AssertionError("out of order");
        }
      }
      rates[r] = n / ((System.nanoTime() - t0) / 1e9);
      w.join();
    }
    Arrays.sort(rates);
    System.out.printf("RESULT %s %.0f %.0f items/s%n", name, rates[rounds / 2], rates[rounds - 1]);
  }

  private static void recover(Backend backend, List<Process> members) throws Exception {
    Queue<String> started = backend.newQueue(0);
    Set<Long> memberPids = members.stream().map(Process::pid).collect(Collectors.toSet());
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(3).build())) {
      CompletableFuture<List<long[]>> map = CompletableFuture.supplyAsync(() -> pool.map(x -> {
        started.put(x + ":" + ProcessHandle.current().pid());
        Thread.sleep(200);
        return new long[] {x, ProcessHandle.current().pid(), System.currentTimeMillis()};
      }, IntStream.range(0, 60).boxed().toList(), 1));
      // Wait until all three members run an item (after the first few, so that everything is warm):
      // the last three items started on three different members.
      List<String> seen = new ArrayList<>();
      while (seen.size() < 9 || seen.subList(seen.size() - 3, seen.size()).stream().map(s -> s.split(":")[1]).distinct().count() < 3) {
        Optional<String> s = started.get(java.time.Duration.ofSeconds(60));
        if (s.isEmpty()) {
          throw new AssertionError("no progress");
        }
        seen.add(s.get());
      }
      Process victim = members.get(0);
      long kill = System.currentTimeMillis();
      victim.destroyForcibly();
      List<long[]> out = map.get(120, TimeUnit.SECONDS);
      for (String s = started.tryGet().orElse(null); s != null; s = started.tryGet().orElse(null)) {
        seen.add(s);
      }
      // Items started on the victim whose result came from another member: re-runs.
      long worst = -1;
      for (String s : seen) {
        int x = Integer.parseInt(s.split(":")[0]);
        long pid = Long.parseLong(s.split(":")[1]);
        if (pid == victim.pid() && out.get(x)[1] != victim.pid()) {
          worst = Math.max(worst, out.get(x)[2] - kill - 200);
        }
      }
      if (out.size() != 60 || !memberPids.containsAll(out.stream().map(r -> r[1]).toList())) {
        throw new AssertionError("wrong results");
      }
      System.out.printf("RESULT recover/hazelcast %d %d ms%n", worst, worst);
    }
  }

  private static Process startMember(Path dir, String cluster, int port, List<Integer> ports) throws IOException {
    String xml = """
        <hazelcast xmlns="http://www.hazelcast.com/schema/config">
          <cluster-name>%s</cluster-name>
          <properties>
            <property name="hazelcast.phone.home.enabled">false</property>
            <property name="hazelcast.socket.bind.any">false</property>
            <property name="hazelcast.logging.type">jdk</property>
            <property name="hazelcast.max.no.heartbeat.seconds">5</property>
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
    cmd.addAll(List.of("-Xmx512m", "-Dhazelcast.config=" + config, "-cp", System.getProperty("java.class.path"),
        "com.hazelcast.core.server.HazelcastMemberStarter"));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  private static void await(Process member, String text) throws Exception {
    BufferedReader log = new BufferedReader(new InputStreamReader(member.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Boolean> seen = CompletableFuture.supplyAsync(() -> {
      try {
        for (String line = log.readLine(); line != null; line = log.readLine()) {
          if (line.contains(text)) {
            return true;
          }
        }
        return false;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    if (!seen.get(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("member " + member.pid() + " exited before: " + text);
    }
    Thread.ofPlatform().daemon(true).start(() -> {
      try {
        while (log.readLine() != null) {
          // drain
        }
      } catch (IOException e) {
        // ended
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
