package dev.multiproc.tck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The threads and descendant processes alive at one moment, and the check that nothing new is
 * still alive later. Only platform threads are visible ({@link Thread#getAllStackTraces()} does
 * not list virtual threads).
 */
final class LeakCheck {

  /** The name of the virtual-thread scheduler's ForkJoinPool ("ForkJoinPool-1"), or null if unknown. */
  private static final String VIRTUAL_THREAD_SCHEDULER = virtualThreadSchedulerName();

  private final Set<Thread> threads;
  private final Set<Long> processes;

  private LeakCheck(Set<Thread> threads, Set<Long> processes) {
    this.threads = threads;
    this.processes = processes;
  }

  /** @return what is alive now */
  static LeakCheck snapshot() {
    Set<Thread> threads = Collections.newSetFromMap(new IdentityHashMap<>());
    threads.addAll(liveThreads());
    Set<Long> processes = ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    return new LeakCheck(threads, processes);
  }

  /**
   * Waits until no thread or descendant process that is not in this snapshot is alive, at most
   * {@code patience}.
   *
   * @param patience how long to wait
   * @param ignored threads that are not leaks (JDK and harness infrastructure)
   * @param what the subject, for the message: "after Backend.close()"
   * @throws AssertionError naming every leaked thread (with its stack) and process
   */
  void assertNothingNewAlive(Duration patience, Predicate<Thread> ignored, String what) {
    if (!Await.until(() -> newThreads(ignored).isEmpty() && newProcesses().isEmpty(), patience)) {
      throw new AssertionError(describe(newThreads(ignored), newProcesses(), what, patience));
    }
  }

  /** @return live platform threads that are not in this snapshot and not ignored */
  List<Thread> newThreads(Predicate<Thread> ignored) {
    List<Thread> found = new ArrayList<>();
    for (Thread t : liveThreads()) {
      if (!threads.contains(t) && !ignored.test(t)) {
        found.add(t);
      }
    }
    return found;
  }

  /** @return live descendant processes that are not in this snapshot */
  List<ProcessHandle> newProcesses() {
    return ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> !processes.contains(p.pid()))
        .toList();
  }

  private static Set<Thread> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
  }

  private static String describe(List<Thread> threads, List<ProcessHandle> processes, String what, Duration patience) {
    StringBuilder m = new StringBuilder("Something is still running ").append(what)
        .append(" (waited ").append(patience.toMillis()).append(" ms):");
    for (Thread t : threads) {
      m.append("\n  thread \"").append(t.getName()).append("\" (").append(t.isDaemon() ? "daemon, " : "")
          .append(t.getState()).append(", ").append(t.getClass().getName()).append(')');
      Arrays.stream(t.getStackTrace()).limit(12).forEach(e -> m.append("\n      at ").append(e));
    }
    for (ProcessHandle p : processes) {
      m.append("\n  process ").append(p.pid()).append(": ")
          .append(p.info().commandLine().orElse(p.info().command().orElse("(command unknown)")));
    }
    return m.toString();
  }

  /**
   * Finds the pool name of the virtual-thread scheduler from a virtual thread's description
   * ({@code VirtualThread[#23]/runnable@ForkJoinPool-1-worker-1}). Starts the scheduler if it was
   * not running, before any test takes its snapshot.
   */
  private static String virtualThreadSchedulerName() {
    // Not a lambda: code of a class under initialization would wait for that initialization.
    Describer describer = new Describer();
    try {
      Thread.ofVirtual().start(describer).join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    String d = describer.description;
    int at = d == null ? -1 : d.lastIndexOf('@');
    int worker = d == null ? -1 : d.lastIndexOf("-worker-");
    return at >= 0 && worker > at ? d.substring(at + 1, worker) : null;
  }

  /** Records how the virtual thread running it describes itself. */
  private static final class Describer implements Runnable {
    volatile String description;

    @Override
    public void run() {
      description = Thread.currentThread().toString();
    }
  }

  /**
   * Threads that the JDK or the test harness start on demand and keep, whatever the backend does.
   * Matched by class or exact name (or a documented name prefix), never by a loose pattern.
   *
   * @param t a live platform thread
   * @return true if it is infrastructure
   */
  static boolean isJdkOrHarnessThread(Thread t) {
    String name = t.getName();
    String type = t.getClass().getName();
    // The virtual-thread scheduler's carriers (named ForkJoinPool-N-worker-M), its unparker
    // (JDK 21-24) and the unblocker of virtual threads waiting for monitors (JDK 24+).
    if (type.equals("jdk.internal.misc.CarrierThread") || name.equals("VirtualThread-unparker")
        || name.equals("VirtualThread-unblocker")) {
      return true;
    }
    // The common pool (CompletableFuture's default async executor), and no other pool.
    if (t instanceof ForkJoinWorkerThread w && w.getPool() == ForkJoinPool.commonPool()) {
      return true;
    }
    // The timer thread of a ForkJoinPool (JDK 25+), only for the common pool and the virtual-thread
    // scheduler; CompletableFuture.delayedExecutor's timer before JDK 25.
    if (type.equals("java.util.concurrent.DelayScheduler")
        && (name.equals("ForkJoinPool.commonPool-delayScheduler")
            || (VIRTUAL_THREAD_SCHEDULER != null && name.equals(VIRTUAL_THREAD_SCHEDULER + "-delayScheduler")))) {
      return true;
    }
    if (name.equals("CompletableFutureDelayScheduler")) {
      return true;
    }
    // ProcessBuilder.start(): "process reaper", renamed "process reaper (pid N)" while it waits.
    if (name.equals("process reaper") || name.startsWith("process reaper (pid ")) {
      return true;
    }
    if (name.equals("Common-Cleaner") || name.equals("Attach Listener") || name.equals("Signal Dispatcher")
        || name.equals("Reference Handler") || name.equals("Finalizer") || name.equals("Notification Thread")) {
      return true;
    }
    // Flight Recorder ("JFR Periodic Tasks", "JFR Recorder Thread", "JFR Recording Scheduler", ...).
    if (name.startsWith("JFR ")) {
      return true;
    }
    // JUnit's @Timeout: the watcher of SAME_THREAD mode, the runner of SEPARATE_THREAD mode.
    if (name.equals("junit-jupiter-timeout-watcher") || name.startsWith("junit-timeout-thread-")) {
      return true;
    }
    // Surefire's forked-JVM plumbing ("surefire-forkedjvm-command-thread", "...-ping-30s", ...).
    return name.startsWith("surefire-forkedjvm-");
  }
}
