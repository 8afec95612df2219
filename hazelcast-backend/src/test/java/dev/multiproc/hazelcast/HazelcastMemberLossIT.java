package dev.multiproc.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Backend;
import dev.multiproc.Barrier;
import dev.multiproc.Pipe;
import dev.multiproc.Queue;
import dev.multiproc.Semaphore;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.spi.BackendConfig;
import java.io.EOFException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a member that dies (SIGKILL) held, beyond its Locks (see {@link HazelcastToolboxClusterIT}):
 * on a cluster of two {@link PlainMember} JVMs, through a client, one worker on each member takes
 * Semaphore permits, sends on a Pipe of its own and waits at a Barrier; one member is killed. The
 * permits taken there come back (said at DEBUG), the Barrier breaks for the surviving worker and
 * the client, the killed worker's Pipe reads what it sent and then EOF; what the surviving worker
 * holds stays held.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HazelcastMemberLossIT {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final Logger LOGGER = Logger.getLogger("dev.multiproc.hazelcast");

  private MemberProcesses members;
  private final List<Process> processes = new ArrayList<>();
  private final ConcurrentLinkedQueue<String> logged = new ConcurrentLinkedQueue<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getLevel().intValue() <= Level.FINE.intValue()) {
        logged.add(r.getMessage());
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private Level levelBefore;

  @BeforeEach
  void startMembers() throws Exception {
    levelBefore = LOGGER.getLevel();
    LOGGER.setLevel(Level.FINE);
    LOGGER.addHandler(capture);
    members = new MemberProcesses("multiproc-member-loss-it-" + UUID.randomUUID(), 2);
    try {
      processes.add(members.start(0, PATIENCE));
      processes.add(members.start(1, PATIENCE));
    } catch (Exception | Error e) {
      members.close();
      throw e;
    }
  }

  @AfterEach
  void stopMembers() {
    LOGGER.removeHandler(capture);
    LOGGER.setLevel(levelBefore);
    members.close();
    for (Process p : processes) {
      assertThat(p.isAlive()).as("a member JVM outlived the test").isFalse();
    }
  }

  private Backend client() {
    Map<String, String> settings = new HashMap<>();
    settings.put("cluster-name", members.cluster);
    settings.put("members", members.members());
    settings.put("mode", "client");
    settings.put("heartbeat-timeout", "5s");
    Backend backend = new HazelcastBackendProvider().open(BackendConfig.of("hazelcast", settings));
    awaitUntil(() -> ((HazelcastBackend) backend).instance().getCluster().getMembers().size() == 2, "a cluster of 2");
    return backend;
  }

  private static void awaitUntil(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("%s within %s", what, PATIENCE).isNegative();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polling a condition with a deadline
    }
  }

  /**
   * Kills a member (SIGKILL) and waits until the client sees it gone: a blocking call the client
   * has in flight on that member when it dies fails (a Hazelcast {@code TargetDisconnectedException}),
   * which is not what these tests are about.
   */
  private static void kill(Backend backend, Process member) throws InterruptedException {
    member.destroyForcibly();
    assertThat(member.waitFor(10, TimeUnit.SECONDS)).isTrue();
    awaitUntil(() -> ((HazelcastBackend) backend).instance().getCluster().getMembers().size() == 1, "the client sees the member gone");
  }

  @Test
  void permitsBarrierAndPipeEndOfAKilledMemberAreFreedBrokenAndClosed() throws Exception {
    try (Backend backend = client()) {
      Semaphore sem = backend.newBoundedSemaphore(4);
      Barrier barrier = backend.newBarrier(3);
      List<Pipe<String>> pipes = List.of(backend.newPipe(), backend.newPipe());
      Queue<String> ready = backend.newQueue(0);
      Queue<String> outcomes = backend.newQueue(0);
      List<Worker> workers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int id = w;
        var far = pipes.get(w).right();
        workers.add(backend.newWorker(() -> {
          sem.acquire();
          sem.acquire();
          far.send("a" + id);
          far.send("b" + id);
          ready.put(id + " " + ProcessHandle.current().pid());
          try {
            barrier.await(PATIENCE);
            outcomes.put("passed " + id);
          } catch (BrokenBarrierException e) {
            outcomes.put("broken " + id);
          }
          sem.release();
          sem.release();
        }, WorkerOptions.defaults()).start());
      }
      Map<Long, Integer> workerOnPid = new HashMap<>();
      for (int i = 0; i < 2; i++) {
        String[] r = ready.get(PATIENCE).orElseThrow().split(" ");
        workerOnPid.put(Long.parseLong(r[1]), Integer.parseInt(r[0]));
      }
      Process doomed = processes.get(1);
      assertThat(workerOnPid).as("one worker on each member").containsOnlyKeys(processes.get(0).pid(), doomed.pid());
      int killed = workerOnPid.get(doomed.pid());
      int kept = 1 - killed;
      assertThat(sem.available()).isZero();
      awaitUntil(() -> barrier.waiting() == 2, "both workers at the barrier");

      kill(backend, doomed);

      assertThat(outcomes.get(PATIENCE)).as("the surviving worker's barrier broke").hasValue("broken " + kept);
      assertThat(barrier.isBroken()).isTrue();
      assertThatThrownBy(() -> barrier.await(PATIENCE)).isInstanceOf(BrokenBarrierException.class);
      awaitUntil(() -> sem.available() == 4, "the permits taken on the killed member and by the survivor back");
      // the survivor gave its 2 back after its barrier broke; those of the killed member came back without it
      var dead = pipes.get(killed).left();
      assertThat(dead.recv(PATIENCE)).as("what the dead end sent").hasValue("a" + killed);
      assertThat(dead.recv(PATIENCE)).hasValue("b" + killed);
      assertThatThrownBy(() -> dead.recv(PATIENCE)).isInstanceOf(UncheckedIOException.class)
          .hasCauseInstanceOf(EOFException.class);
      var live = pipes.get(kept).left();
      assertThat(live.recv(PATIENCE)).hasValue("a" + kept);
      assertThat(live.recv(PATIENCE)).hasValue("b" + kept);
      assertThat(live.poll()).as("the surviving worker's pipe stays open").isFalse();
      assertThat(workers.get(kept).join(PATIENCE)).isTrue();
      assertThat(workers.get(kept).exitCode()).as("%s", workers.get(kept).failure()).hasValue(0);
      workers.get(killed).join(PATIENCE);
      awaitUntil(() -> logged.stream().anyMatch(m -> m.contains("left holding 2 permit(s)")), "the release said at DEBUG");
      assertThat(logged).anyMatch(m -> m.contains("broke it for the others"))
          .anyMatch(m -> m.contains("closed the end of Pipe"));
    }
  }

  @Test
  void permitsOfTheSurvivingMemberStayTaken() throws Exception {
    try (Backend backend = client()) {
      Semaphore sem = backend.newSemaphore(2);
      Queue<Long> holding = backend.newQueue(0);
      dev.multiproc.Event letGo = backend.newEvent();
      List<Worker> workers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        workers.add(backend.newWorker(() -> {
          sem.acquire();
          holding.put(ProcessHandle.current().pid());
          letGo.await(PATIENCE);
          sem.release();
        }, WorkerOptions.defaults()).start());
      }
      List<Long> pids = List.of(holding.get(PATIENCE).orElseThrow(), holding.get(PATIENCE).orElseThrow());
      assertThat(pids).containsExactlyInAnyOrder(processes.get(0).pid(), processes.get(1).pid());
      kill(backend, processes.get(1));
      assertThat(sem.acquire(PATIENCE)).as("the killed member's permit comes back").isTrue();
      assertThat(sem.tryAcquire()).as("the survivor's is still taken").isFalse();
      letGo.set();
      assertThat(sem.acquire(PATIENCE)).as("released by the surviving worker").isTrue();
      assertThat(sem.available()).isZero();
      for (Worker w : workers) {
        w.join(PATIENCE);
      }
    }
  }
}
