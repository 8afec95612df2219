package dev.multiproc.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Backend;
import dev.multiproc.Barrier;
import dev.multiproc.Connection;
import dev.multiproc.Event;
import dev.multiproc.JoinableQueue;
import dev.multiproc.Lock;
import dev.multiproc.Pipe;
import dev.multiproc.Queue;
import dev.multiproc.Semaphore;
import dev.multiproc.SharedMap;
import dev.multiproc.Value;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.spi.BackendConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The toolbox of issue 11 on a real cluster of two {@link PlainMember} JVMs, through a client:
 * every handle travels to workers on the member JVMs and works there; a Lock and an RLock held by a worker on a member that is killed (SIGKILL) are released by
 * Hazelcast when the member leaves, so the client takes them; the ones held on the surviving member
 * stay held until their worker lets go.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HazelcastToolboxClusterIT {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private static MemberProcesses members;
  private static Process first;
  private static Process second;

  @BeforeAll
  static void startMembers() throws Exception {
    members = new MemberProcesses("multiproc-toolbox-it-" + UUID.randomUUID(), 2);
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

  private static Backend client() {
    Map<String, String> settings = new HashMap<>();
    settings.put("cluster-name", members.cluster);
    settings.put("members", members.members());
    settings.put("mode", "client");
    settings.put("heartbeat-timeout", "5s");
    Backend backend = new HazelcastBackendProvider().open(BackendConfig.of("hazelcast", settings));
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (((HazelcastBackend) backend).instance().getCluster().getMembers().size() != 2) {
      assertThat(System.nanoTime() - deadline).as("a cluster of 2 within %s", PATIENCE).isNegative();
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // polling a condition with a deadline
    }
    return backend;
  }

  @Test
  @Order(1)
  void everyHandleWorksInWorkersOnTheMembers() throws Exception {
    try (Backend backend = client()) {
      Semaphore sem = backend.newBoundedSemaphore(1);
      Barrier barrier = backend.newBarrier(3);
      JoinableQueue<Integer> jobs = backend.newJoinableQueue(0);
      Pipe<String> pipe = backend.newPipe();
      SharedMap<String, Integer> counts = backend.newSharedMap();
      Value inside = backend.newValue(0);
      Queue<Long> pids = backend.newQueue(0);
      for (int i = 0; i < 40; i++) {
        jobs.put(i);
      }
      Connection<String> far = pipe.right();
      List<Worker> workers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int id = w;
        workers.add(backend.newWorker(() -> {
          pids.put(ProcessHandle.current().pid());
          barrier.await(PATIENCE);
          for (Optional<Integer> job = jobs.tryGet(); job.isPresent(); job = jobs.tryGet()) {
            sem.acquire();
            try {
              if (inside.addAndGet(1) != 1) {
                throw new IllegalStateException("two workers inside the semaphore");
              }
              counts.compute("jobs", n -> n == null ? 1 : n + 1);
              inside.addAndGet(-1);
            } finally {
              sem.release();
            }
            jobs.taskDone();
          }
          far.send("done " + id);
        }, WorkerOptions.defaults()).start());
      }
      List<Long> seen = new ArrayList<>(List.of(pids.get(PATIENCE).orElseThrow(), pids.get(PATIENCE).orElseThrow()));
      assertThat(seen).as("one worker on each member").containsExactlyInAnyOrder(first.pid(), second.pid());
      assertThat(barrier.await(PATIENCE)).isBetween(0, 2);
      assertThat(jobs.join(PATIENCE)).as("every job marked done").isTrue();
      List<String> msgs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        msgs.add(pipe.left().recv(PATIENCE).orElseThrow());
      }
      assertThat(msgs).containsExactlyInAnyOrder("done 0", "done 1");
      assertThat(counts.get("jobs")).isEqualTo(40);
      assertThat(sem.available()).isEqualTo(1);
      for (Worker w : workers) {
        assertThat(w.join(PATIENCE)).isTrue();
        assertThat(w.exitCode()).as("%s", w.failure()).hasValue(0);
      }
    }
  }

  @Test
  @Order(2)
  void locksHeldOnAKilledMemberAreReleased() throws Exception {
    try (Backend backend = client()) {
      List<Lock> locks = List.of(backend.newLock(), backend.newLock());
      List<Lock> rlocks = List.of(backend.newRLock(), backend.newRLock());
      Value counter = backend.newValue(0);
      Queue<Long> holding = backend.newQueue(0);
      Event letGo = backend.newEvent();
      List<Worker> workers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        Lock lock = locks.get(w);
        Lock rlock = rlocks.get(w);
        workers.add(backend.newWorker(() -> {
          lock.acquire();
          rlock.acquire();
          rlock.acquire();
          counter.addAndGet(1);
          holding.put(ProcessHandle.current().pid());
          letGo.await(PATIENCE);
          rlock.release();
          rlock.release();
          lock.release();
        }, WorkerOptions.defaults()).start());
      }
      List<Long> pids = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Optional<Long> pid = holding.get(PATIENCE);
        assertThat(pid).as("worker %s holds its locks", i).isPresent();
        pids.add(pid.get());
      }
      assertThat(pids).as("one worker on each member").containsExactlyInAnyOrder(first.pid(), second.pid());
      assertThat(counter.get()).isEqualTo(2);
      for (int w = 0; w < 2; w++) {
        assertThat(locks.get(w).tryAcquire()).isFalse();
        assertThat(rlocks.get(w).tryAcquire()).isFalse();
      }
      // which worker (and lock pair) ran on which member is not known: the pair freed by the kill is the one held there
      second.destroyForcibly(); // SIGKILL
      assertThat(second.waitFor(10, TimeUnit.SECONDS)).isTrue();
      int freed = -1;
      long until = System.nanoTime() + PATIENCE.toNanos();
      while (freed < 0 && System.nanoTime() < until) {
        for (int w = 0; w < 2 && freed < 0; w++) {
          if (locks.get(w).acquire(Duration.ofMillis(200))) {
            freed = w;
          }
        }
      }
      assertThat(freed).as("the Lock held on the killed member is released").isNotNegative();
      assertThat(rlocks.get(freed).acquire(PATIENCE)).as("and its RLock").isTrue();
      int kept = 1 - freed;
      assertThat(locks.get(kept).tryAcquire()).as("the surviving member's worker still holds its Lock").isFalse();
      assertThat(rlocks.get(kept).tryAcquire()).as("and its RLock").isFalse();
      letGo.set();
      assertThat(locks.get(kept).acquire(PATIENCE)).as("released by the surviving worker").isTrue();
      assertThat(rlocks.get(kept).acquire(PATIENCE)).isTrue();
      for (Lock l : List.of(locks.get(0), locks.get(1), rlocks.get(0), rlocks.get(1))) {
        l.release();
      }
      for (Worker w : workers) {
        w.join(PATIENCE);
      }
    }
  }
}
