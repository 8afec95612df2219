package dev.multiproc.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Backend;
import dev.multiproc.Event;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.spi.BackendConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The backend on a real cluster: two {@link PlainMember} JVMs on 127.0.0.1 (nothing of multiproc
 * running on them beyond its classes on their class path). An embedded member of this JVM joins
 * them; then, as a client, map/Queue/Event/Worker traffic, and a member killed with SIGKILL in the
 * middle of a {@code map}, whose results must all arrive, once each, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HazelcastClusterIT {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private static MemberProcesses members;
  private static Process first;
  private static Process second;

  @BeforeAll
  static void startMembers() throws Exception {
    members = new MemberProcesses("multiproc-it-" + UUID.randomUUID(), 2);
    try {
      first = members.start(0, PATIENCE);
      second = members.start(1, PATIENCE);
    } catch (Exception | Error e) {
      members.close();
      throw e;
    }
  }

  @AfterAll
  static void stopMembers() throws Exception {
    if (members != null) {
      members.close();
    }
    assertThat(first.isAlive() || second.isAlive()).as("a member JVM outlived the test").isFalse();
  }

  private static Backend open(Map<String, String> settings) {
    Map<String, String> all = new java.util.HashMap<>(settings);
    all.put("cluster-name", members.cluster);
    all.put("members", members.members());
    return new HazelcastBackendProvider().open(BackendConfig.of("hazelcast", all));
  }

  /** Waits until the cluster has {@code n} members as {@code backend} sees it. */
  private static void awaitClusterSize(Backend backend, int n) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (((HazelcastBackend) backend).instance().getCluster().getMembers().size() != n) {
      assertThat(System.nanoTime() - deadline).as("cluster of %s members within %s", n, PATIENCE).isNegative();
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // polling a condition with a deadline
    }
  }

  @Test
  @Order(1)
  void embeddedMemberJoinsTheClusterAndMapsAcrossIt() {
    try (Backend backend = open(Map.of("mode", "embedded", "port", "5701"))) {
      awaitClusterSize(backend, 3);
      try (Pool pool = backend.newPool(PoolOptions.builder().workers(6).build())) {
        List<long[]> out = pool.map(x -> new long[] {x * 3L, ProcessHandle.current().pid()}, range(0, 300), 5);
        assertThat(out.stream().map(r -> r[0]).toList()).containsExactlyElementsOf(range(0, 300).stream().map(x -> x * 3L).toList());
        Set<Long> pids = new HashSet<>();
        out.forEach(r -> pids.add(r[1]));
        assertThat(pids).as("pids of the JVMs that computed").containsExactlyInAnyOrder(
            ProcessHandle.current().pid(), first.pid(), second.pid());
      }
    }
  }

  @Test
  @Order(2)
  void clientRunsQueueEventAndWorkerTrafficOnPlainMembers() throws Exception {
    try (Backend backend = open(Map.of("mode", "client"))) {
      awaitClusterSize(backend, 2);
      Queue<String> q = backend.newQueue(4);
      Event go = backend.newEvent();
      Event done = backend.newEvent();
      List<Worker> workers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int id = w;
        workers.add(backend.newWorker(() -> {
          if (!go.await(Duration.ofSeconds(60))) {
            throw new IllegalStateException("go never came");
          }
          for (int i = 0; i < 50; i++) {
            q.put(id + ":" + i + ":" + ProcessHandle.current().pid());
          }
          done.set();
        }, WorkerOptions.defaults()).start());
      }
      go.set();
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        Optional<String> item = q.get(PATIENCE);
        assertThat(item).as("item %s", i).isPresent();
        got.add(item.get());
      }
      for (Worker w : workers) {
        assertThat(w.join(PATIENCE)).isTrue();
        assertThat(w.exitCode()).hasValue(0);
      }
      assertThat(done.isSet()).isTrue();
      for (int id = 0; id < 2; id++) {
        String prefix = id + ":";
        assertThat(got.stream().filter(s -> s.startsWith(prefix)).map(s -> Integer.parseInt(s.split(":")[1])).toList())
            .as("worker %s's items, in its order", id).containsExactlyElementsOf(range(0, 50));
      }
      Set<Long> pids = new HashSet<>();
      got.forEach(s -> pids.add(Long.parseLong(s.split(":")[2])));
      assertThat(pids).as("workers ran on the members, round-robin").containsExactlyInAnyOrder(first.pid(), second.pid());
      assertThat(q.tryGet()).isEmpty();
    }
  }

  @Test
  @Order(3)
  void memberKilledMidMapLosesNoResult() throws Exception {
    try (Backend backend = open(Map.of("mode", "client", "heartbeat-timeout", "5s"))) {
      awaitClusterSize(backend, 2);
      Queue<Long> started = backend.newQueue(0);
      Queue<Integer> kept = backend.newQueue(0);
      for (int i = 0; i < 100; i++) {
        kept.put(i);
      }
      List<Integer> items = range(0, 400);
      try (Pool pool = backend.newPool(PoolOptions.builder().workers(4).build())) {
        CompletableFuture<List<long[]>> map = CompletableFuture.supplyAsync(() -> pool.map(x -> {
          started.put(ProcessHandle.current().pid());
          Thread.sleep(10); // simulated work, so the map is still running when the member dies
          return new long[] {x, x * (long) x, ProcessHandle.current().pid()};
        }, items, 4));
        int fromSecond = 0;
        while (fromSecond < 20) {
          Optional<Long> pid = started.get(PATIENCE);
          assertThat(pid).as("tasks keep starting").isPresent();
          if (pid.get() == second.pid()) {
            fromSecond++;
          }
        }
        second.destroyForcibly(); // SIGKILL
        List<long[]> out = map.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(out.stream().map(r -> r[0]).toList()).as("every item once, in order").containsExactlyElementsOf(
            items.stream().map(Integer::longValue).toList());
        assertThat(out).allSatisfy(r -> assertThat(r[1]).isEqualTo(r[0] * r[0]));
        assertThat(out.stream().filter(r -> r[2] == second.pid()).count()).as("results from the member before it died").isPositive();
        assertThat(second.waitFor(10, TimeUnit.SECONDS)).isTrue();
        List<Integer> survived = new ArrayList<>();
        for (Optional<Integer> i = kept.tryGet(); i.isPresent(); i = kept.tryGet()) {
          survived.add(i.get());
        }
        assertThat(survived).as("queue items put before the member died (one backup)").containsExactlyElementsOf(range(0, 100));

        List<Integer> after = pool.map(x -> x + 1, range(0, 100), 10);
        assertThat(after).as("the pool carries on with the member that is left").containsExactlyElementsOf(range(1, 101));
      }
    }
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }
}
