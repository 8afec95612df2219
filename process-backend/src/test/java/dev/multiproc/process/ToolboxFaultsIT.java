package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Barrier;
import dev.multiproc.Connection;
import dev.multiproc.Event;
import dev.multiproc.Lock;
import dev.multiproc.Pipe;
import dev.multiproc.Semaphore;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.io.EOFException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nothing is stuck when a child dies holding or waiting on a lock, semaphore, barrier or pipe end:
 * the parent releases what it held, breaks the barrier it waited at, and closes the pipe ends it
 * used after what it sent. Children's waits cost no platform thread in the parent.
 */
@Timeout(300)
class ToolboxFaultsIT extends WithProcessBackend {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as(what).isNegative();
      LockSupport.parkNanos(1_000_000L); // polling a condition with a deadline
    }
  }

  /** Starts a child that runs {@code body}, sets {@code ready}, then hangs until killed. */
  private Worker holder(Event ready, dev.multiproc.Task body) {
    return backend.newWorker(() -> {
      body.run();
      ready.set();
      Thread.sleep(Long.MAX_VALUE);
    }, WorkerOptions.builder().name("holder").build()).start();
  }

  private static void kill(Worker w) throws InterruptedException {
    w.kill();
    assertThat(w.join(PATIENCE)).isTrue();
  }

  @Test
  void aLockOrRLockHeldByAChildThatDiesIsReleased() throws Exception {
    for (Lock lock : List.of(backend.newLock(), backend.newRLock())) {
      Event ready = backend.newEvent();
      Worker w = holder(ready, () -> {
        lock.acquire();
        lock.acquire(Duration.ZERO); // an RLock: held twice; a Lock: just fails
      });
      assertThat(ready.await(PATIENCE)).isTrue();
      assertThat(lock.tryAcquire()).as("held by the child").isFalse();
      CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
        try {
          return lock.acquire(PATIENCE);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      kill(w);
      assertThat(waiter.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("acquired after the holder died: %s", lock).isTrue();
    }
  }

  @Test
  void semaphorePermitsHeldByAChildThatDiesAreGivenBack() throws Exception {
    Semaphore s = backend.newBoundedSemaphore(3);
    Event ready = backend.newEvent();
    Worker w = holder(ready, () -> {
      s.acquire();
      s.acquire();
    });
    assertThat(ready.await(PATIENCE)).isTrue();
    assertThat(s.available()).isEqualTo(1);
    kill(w);
    await(() -> s.available() == 3, "both permits given back");
    assertThat(s.tryAcquire()).isTrue();
    s.release();
    assertThatThrownBy(s::release).as("not over-released").isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aChildDyingAtABarrierBreaksItForTheOthers() throws Exception {
    Barrier b = backend.newBarrier(3);
    Worker w = backend.newWorker(b::await, WorkerOptions.defaults()).start();
    await(() -> b.waiting() == 1, "the child waits at the barrier");
    CompletableFuture<Integer> other = CompletableFuture.supplyAsync(() -> {
      try {
        return b.await();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await(() -> b.waiting() == 2, "the caller's thread waits too");
    kill(w);
    assertThatThrownBy(() -> other.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
        .hasRootCauseInstanceOf(BrokenBarrierException.class);
    assertThat(b.isBroken()).isTrue();
  }

  @Test
  void aPipeEndWhoseChildDiedReadsAsClosedAfterWhatItSent() throws Exception {
    Pipe<Integer> p = backend.newPipe();
    Connection<Integer> theirs = p.right();
    Event ready = backend.newEvent();
    Worker w = holder(ready, () -> {
      for (int i = 0; i < 3; i++) {
        theirs.send(i);
      }
    });
    assertThat(ready.await(PATIENCE)).isTrue();
    kill(w);
    Connection<Integer> mine = p.left();
    for (int i = 0; i < 3; i++) {
      assertThat(mine.recv(PATIENCE)).contains(i);
    }
    assertThatThrownBy(mine::recv).isInstanceOf(UncheckedIOException.class).hasCauseInstanceOf(EOFException.class);
  }

  @Test
  void childrenBlockedInAcquireTieUpNoPlatformThread() throws Exception {
    Lock lock = backend.newLock();
    lock.acquire();
    int children = 3;
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < children; i++) {
      workers.add(backend.newWorker(() -> {
        lock.acquire();
        lock.release();
      }, WorkerOptions.defaults()).start());
    }
    await(() -> backend.waitingRequests() == children, "every child waits in the hub");
    assertThat(Thread.getAllStackTraces().keySet()).as("platform threads of the parent")
        .noneMatch(t -> t.getName().contains("hub-wait"));
    lock.release();
    for (Worker w : workers) {
      assertThat(w.join(PATIENCE)).isTrue();
      assertThat(w.exitCode()).as("%s", w.failure()).hasValue(0);
    }
  }
}
