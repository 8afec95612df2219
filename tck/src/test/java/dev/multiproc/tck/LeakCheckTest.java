package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The kit's own leak check: it sees new threads and child processes, and ignores only infrastructure. */
class LeakCheckTest {

  private static final Duration PATIENCE = Duration.ofSeconds(10);

  @Test
  void aNewThreadIsALeakUntilItEnds() throws InterruptedException {
    LeakCheck before = LeakCheck.snapshot();
    CountDownLatch release = new CountDownLatch(1);
    Thread leaky = Thread.ofPlatform().name("leaky").daemon(true).start(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(before.newThreads(LeakCheck::isJdkOrHarnessThread)).containsExactly(leaky);
    assertThatThrownBy(() -> before.assertNothingNewAlive(Duration.ofMillis(50), LeakCheck::isJdkOrHarnessThread, "now"))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("Something is still running now (waited 50 ms):")
        .hasMessageContaining("thread \"leaky\" (daemon, WAITING, java.lang.Thread)");
    release.countDown();
    before.assertNothingNewAlive(PATIENCE, LeakCheck::isJdkOrHarnessThread, "after release");
  }

  @Test
  void infrastructureIsRecognisedByWhatItIsNotByALooseName() throws Exception {
    Thread commonWorker = ForkJoinPool.commonPool().submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
    assertThat(LeakCheck.isJdkOrHarnessThread(commonWorker)).as(commonWorker.getName()).isTrue();
    ForkJoinPool own = new ForkJoinPool(1);
    try {
      Thread ownWorker = own.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
      assertThat(LeakCheck.isJdkOrHarnessThread(ownWorker)).as("a worker of another ForkJoinPool").isFalse();
    } finally {
      own.shutdownNow();
    }
    assertThat(LeakCheck.isJdkOrHarnessThread(Thread.ofPlatform().name("ForkJoinPool.commonPool-worker-9").unstarted(() -> {})))
        .as("a plain thread named like a common-pool worker").isFalse();
    assertThat(LeakCheck.isJdkOrHarnessThread(Thread.ofPlatform().name("ForkJoinPool-1-worker-1").unstarted(() -> {})))
        .as("a plain thread named like a carrier thread").isFalse();
    assertThat(LeakCheck.isJdkOrHarnessThread(Thread.ofPlatform().name("process reaper").unstarted(() -> {}))).isTrue();
    assertThat(LeakCheck.isJdkOrHarnessThread(Thread.ofPlatform().name("process reaper (pid 12)").unstarted(() -> {}))).isTrue();
    assertThat(LeakCheck.isJdkOrHarnessThread(Thread.ofPlatform().name("process-reaper-2").unstarted(() -> {}))).isFalse();
    assertThat(LeakCheck.isJdkOrHarnessThread(Thread.ofPlatform().name("pool-1-thread-1").unstarted(() -> {}))).isFalse();
    assertThat(LeakCheck.isJdkOrHarnessThread(Thread.ofPlatform().name("Thread-3").unstarted(() -> {}))).isFalse();
  }

  @Test
  void virtualThreadInfrastructureIsNotALeak() throws InterruptedException {
    LeakCheck before = LeakCheck.snapshot();
    Object monitor = new Object();
    Thread[] vts = new Thread[4];
    synchronized (monitor) { // contended monitors and timed parks start the JDK's helper threads
      for (int i = 0; i < vts.length; i++) {
        vts[i] = Thread.ofVirtual().start(() -> {
          LockSupport.parkNanos(5_000_000L); // a timed park, as a virtual thread of a backend makes
          synchronized (monitor) {
            monitor.notifyAll();
          }
        });
      }
    }
    for (Thread vt : vts) {
      assertThat(vt.join(PATIENCE)).isTrue();
    }
    assertThat(before.newThreads(LeakCheck::isJdkOrHarnessThread)).isEmpty();
  }

  @Test
  void aChildProcessIsALeakUntilItExits() throws IOException, InterruptedException {
    LeakCheck before = LeakCheck.snapshot();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        WaitForStdinToClose.class.getName()).redirectErrorStream(true).start();
    try {
      assertThat(before.newProcesses()).extracting(ProcessHandle::pid).contains(child.pid());
      assertThatThrownBy(() -> before.assertNothingNewAlive(Duration.ofMillis(50), LeakCheck::isJdkOrHarnessThread, "now"))
          .hasMessageContaining("process " + child.pid() + ": ");
    } finally {
      try (OutputStream stdin = child.getOutputStream()) {
        stdin.flush(); // closing stdin makes the child exit
      }
    }
    assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    before.assertNothingNewAlive(PATIENCE, LeakCheck::isJdkOrHarnessThread, "after the child exited");
  }

  /** A child that exits when its standard input closes. */
  public static final class WaitForStdinToClose {
    public static void main(String[] args) throws IOException {
      while (System.in.read() >= 0) {
        // keep reading
      }
    }
  }
}
