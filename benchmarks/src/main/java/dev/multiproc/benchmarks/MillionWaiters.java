package dev.multiproc.benchmarks;

import dev.multiproc.Backend;
import dev.multiproc.Event;
import dev.multiproc.Queue;
import dev.multiproc.Task;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A million workers, each blocked in {@code Event.await()} (mode {@code event}) or
 * {@code Queue.get()} (mode {@code queue}), released by one {@code set()} or by as many
 * {@code put}s; every worker must finish. Prints how long starting and releasing took and the heap
 * the blocked workers hold. Not a JMH benchmark: one run is the measurement.
 *
 * <pre>
 * java -Xmx2g -cp benchmarks/target/benchmarks.jar dev.multiproc.benchmarks.MillionWaiters \
 *     [--backend virtual-thread] [--waiters 1000000] [--mode event|queue|both] [--daemon]
 * </pre>
 *
 * <p>{@code --backend juc-virtual} is the raw {@code java.util.concurrent} baseline: plain virtual
 * threads blocked in {@code CountDownLatch.await()} or {@code LinkedBlockingQueue.take()}.
 *
 * <p>Heap is measured with {@link MemoryMXBean#getHeapMemoryUsage()} after two
 * {@link MemoryMXBean#gc()} calls (full collections), once before the workers start and once when
 * every one of them is parked; the difference divided by the number of workers is the cost of one
 * blocked worker: its {@code Worker} handle, task, {@code Thread} object and, for a virtual thread,
 * its stack, which lives in the heap while it is unmounted. Bookkeeping arrays of this program are
 * allocated before the first measurement. The resident set size ({@code VmRSS}) is printed as
 * well because a platform thread's stack is outside the heap.
 *
 * <p>Workers are made with the API's defaults (non-daemon, generated names), the way a user makes
 * them; {@code --daemon} makes daemon workers. "Parked" is checked, not assumed: the program waits
 * until every worker's thread is in state {@code WAITING}.
 */
public final class MillionWaiters {

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private MillionWaiters() {}

  public static void main(String[] args) throws Exception {
    String backendName = "virtual-thread";
    int waiters = 1_000_000;
    String mode = "both";
    boolean daemon = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--backend" -> backendName = args[++i];
        case "--waiters" -> waiters = Integer.parseInt(args[++i].replace("_", ""));
        case "--mode" -> mode = args[++i];
        case "--daemon" -> daemon = true;
        default -> {
          System.err.println("usage: MillionWaiters [--backend virtual-thread] [--waiters 1000000] [--mode event|queue|both] [--daemon]");
          System.exit(2);
        }
      }
    }
    System.out.printf(Locale.ROOT, "java %s, %d cores, max heap %d MB, GC %s%n", Runtime.version(),
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
        ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList());
    if (mode.equals("event") || mode.equals("both")) {
      run(backendName, waiters, true, daemon);
    }
    if (mode.equals("queue") || mode.equals("both")) {
      run(backendName, waiters, false, daemon);
    }
  }

  /** What the workers block on, and how they are released. */
  private interface Gate {
    void await() throws InterruptedException;

    void release() throws InterruptedException;
  }

  private static void run(String backendName, int n, boolean event, boolean daemon) throws Exception {
    AtomicReferenceArray<Thread> threads = new AtomicReferenceArray<>(n);
    AtomicIntegerArray received = new AtomicIntegerArray(event ? 0 : n);
    Object[] workers = new Object[n]; // a Worker, or a Thread for the baseline
    boolean raw = backendName.equals(Mapper.JUC_VIRTUAL);
    Backend backend = raw ? null : Mapper.openBackend(backendName);
    try {
      Gate gate = event ? eventGate(backend) : queueGate(backend, n, received);
      WorkerOptions options = WorkerOptions.builder().daemon(daemon).build();
      long heapBefore = usedHeapAfterGc();
      long rssBefore = rss();

      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        int id = i;
        Task body = () -> {
          threads.set(id, Thread.currentThread());
          gate.await();
        };
        workers[i] = raw ? Thread.ofVirtual().start(() -> {
          try {
            body.run();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }) : backend.newWorker(body, options).start();
      }
      long started = System.nanoTime();
      awaitAllWaiting(threads);
      long parked = System.nanoTime();

      long heapParked = usedHeapAfterGc();
      long rssParked = rss();

      long t1 = System.nanoTime();
      gate.release();
      long released = System.nanoTime();
      for (Object o : workers) {
        join(o);
      }
      long joined = System.nanoTime();
      for (int i = 0; i < received.length(); i++) {
        if (received.get(i) != 1) {
          throw new IllegalStateException("item " + i + " was received " + received.get(i) + " times");
        }
      }

      String what = event ? "Event.await(), released by one set()" : "Queue.get(), released by " + n + " puts";
      if (raw) {
        what = event ? "CountDownLatch.await(), released by one countDown()"
            : "LinkedBlockingQueue.take(), released by " + n + " puts";
      }
      System.out.printf(Locale.ROOT, "%n%s: %,d %s blocked in %s%n", backendName, n,
          raw ? "plain virtual threads" : daemon ? "daemon workers" : "workers", what);
      System.out.printf(Locale.ROOT, "  start %,d workers:              %,8d ms%n", n, ms(started - t0));
      System.out.printf(Locale.ROOT, "  until all are parked:           %,8d ms%n", ms(parked - t0));
      System.out.printf(Locale.ROOT, "  heap used, none started:        %,8d MB%n", heapBefore >> 20);
      System.out.printf(Locale.ROOT, "  heap used, all parked:          %,8d MB  (%,d bytes per blocked worker)%n",
          heapParked >> 20, (heapParked - heapBefore) / n);
      if (rssBefore > 0) {
        System.out.printf(Locale.ROOT, "  resident set, all parked:       %,8d MB  (+%,d MB)%n", rssParked >> 20,
            (rssParked - rssBefore) >> 20);
      }
      System.out.printf(Locale.ROOT, "  %-31s %,8d ms%n", event ? (raw ? "countDown():" : "set():") : n + " puts:", ms(released - t1));
      System.out.printf(Locale.ROOT, "  release until all joined:       %,8d ms%n", ms(joined - t1));
    } finally {
      if (backend != null) {
        backend.close();
      }
    }
  }

  private static Gate eventGate(Backend backend) {
    if (backend == null) {
      CountDownLatch latch = new CountDownLatch(1);
      return new Gate() {
        @Override
        public void await() throws InterruptedException {
          latch.await();
        }

        @Override
        public void release() {
          latch.countDown();
        }
      };
    }
    Event go = backend.newEvent();
    return new Gate() {
      @Override
      public void await() throws InterruptedException {
        go.await();
      }

      @Override
      public void release() {
        go.set();
      }
    };
  }

  private static Gate queueGate(Backend backend, int n, AtomicIntegerArray received) {
    Queue<Integer> queue = backend == null ? null : backend.newQueue(0);
    BlockingQueue<Integer> raw = backend == null ? new LinkedBlockingQueue<>() : null;
    return new Gate() {
      @Override
      public void await() throws InterruptedException {
        received.incrementAndGet(queue != null ? queue.get() : raw.take());
      }

      @Override
      public void release() throws InterruptedException {
        for (int i = 0; i < n; i++) {
          if (queue != null) {
            queue.put(i);
          } else {
            raw.put(i);
          }
        }
      }
    };
  }

  private static void join(Object worker) throws InterruptedException {
    Duration limit = Duration.ofMinutes(5);
    if (worker instanceof Worker w) {
      if (!w.join(limit) || w.exitCode().orElse(-1) != 0) {
        throw new IllegalStateException(w + " did not finish cleanly: " + w.failure());
      }
    } else if (!((Thread) worker).join(limit)) {
      throw new IllegalStateException(worker + " did not finish");
    }
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  /** Waits until every thread has published itself and is parked. */
  private static void awaitAllWaiting(AtomicReferenceArray<Thread> threads) {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    int next = 0;
    while (next < threads.length()) {
      Thread t = threads.get(next);
      if (t != null && t.getState() == Thread.State.WAITING) {
        next++;
        continue;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + next + " workers parked within 5 minutes");
      }
      LockSupport.parkNanos(1_000_000L);
    }
  }

  private static long usedHeapAfterGc() {
    MEMORY.gc();
    MEMORY.gc();
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  /** @return the resident set size in bytes, or 0 where /proc is missing */
  private static long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: no resident set figure
    }
    return 0;
  }
}
