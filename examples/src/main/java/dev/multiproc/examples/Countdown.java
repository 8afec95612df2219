package dev.multiproc.examples;

import dev.multiproc.Multiproc;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The seed's GIL demonstration: count down 50,000,000 in one worker, then split the count across
 * two workers. In CPython the two-thread version is slower (one thread holds the GIL at a time);
 * on the JVM the two workers run at once.
 *
 * <p>The seed's loop does nothing, and the JIT would delete a loop that does nothing. So each step
 * also adds a hash of {@code n} to a checksum, and the worker puts the checksum on a queue: the
 * loop's work is used, and the timing is honest. The two halves count disjoint halves of the
 * range, so their checksums add up to the single worker's, which is checked.
 *
 * <p>Times include starting the workers, as Python's do: microseconds for threads, tens of
 * milliseconds for child JVMs. The loop is warmed up in this JVM before the first timing.
 */
public final class Countdown {

  private Countdown() {}

  /**
   * Runs this example alone; takes the launcher's options ({@code --backend <name>}).
   *
   * @param args the launcher's options
   */
  public static void main(String[] args) {
    Examples.runAlone("countdown", args);
  }

  static void run(PrintStream out, Settings settings) throws InterruptedException {
    final long count = settings.count();                                   // COUNT = 50000000
    final long half = count / 2;

    // Warm the JIT up in this JVM first, so that the first timing does not also pay for compiling
    // the loop (child JVMs of the process backend start cold for both timings alike).
    countdown(Math.min(count, 10_000_000L), 0);

    // single worker
    Queue<Long> all = Multiproc.queue();
    long start = System.nanoTime();                                        // start = time.time()
    Worker t = Multiproc.worker(() -> all.put(countdown(count, 0))).start(); // countdown(COUNT)
    t.join();
    double single = seconds(start);                                        // end = time.time()
    long singleSum = Received.result(all, t);

    // two workers, half each
    Queue<Long> upper = Multiproc.queue();
    Queue<Long> lower = Multiproc.queue();
    start = System.nanoTime();                                             // start = time.time()
    Worker t1 = Multiproc.worker(() -> upper.put(countdown(count, half))); // t1 = Thread(target=countdown, args=(COUNT//2,))
    Worker t2 = Multiproc.worker(() -> lower.put(countdown(half, 0)));     // t2 = Thread(target=countdown, args=(COUNT//2,))
    t1.start();                                                            // t1.start()
    t2.start();                                                            // t2.start()
    t1.join();                                                             // t1.join()
    t2.join();                                                             // t2.join()
    double split = seconds(start);                                         // end = time.time()
    long splitSum = Received.result(upper, t1) + Received.result(lower, t2);

    if (splitSum != singleSum) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "the halves' checksums add up to %#x, the whole count's is %#x: a worker lost steps", splitSum, singleSum));
    }
    int cpus = Runtime.getRuntime().availableProcessors();
    double speedup = single / split;
    out.printf(Locale.ROOT, "one worker,  countdown(%d):      Time taken in seconds - %.3f%n", count, single);
    out.printf(Locale.ROOT, "two workers, countdown(%d) each: Time taken in seconds - %.3f%n", count - half, split);
    out.printf(Locale.ROOT, "speedup: %.2fx on %d processor%s (checksums agree: %#x)%n",
        speedup, cpus, cpus == 1 ? "" : "s", singleSum);
    if (cpus == 1) {
      out.println("No GIL on the JVM, but this machine has one processor, so the split cannot be faster here.");
    } else if (speedup >= 1.2) {
      out.println("No GIL on the JVM: the two workers count at the same time, so the split is faster; under CPython's GIL it is slower.");
    } else {
      out.println("No GIL on the JVM, so the split should be faster; here starting the workers or other load outweighed"
          + " the work (try a larger -D" + Settings.COUNT_KEY + ").");
    }
  }

  /**
   * {@code def countdown(n): while n > 0: n -= 1}, counting from {@code n} down to {@code end},
   * plus a checksum of the numbers passed so that the work cannot be optimised away.
   *
   * @return the sum of {@link #mix} over the numbers {@code end} to {@code n - 1}
   */
  static long countdown(long n, long end) {
    long checksum = 0;
    while (n > end) {                                                      // while n > 0:
      n -= 1;                                                              //     n -= 1
      checksum += mix(n);
    }
    return checksum;
  }

  /** A cheap, well-mixed hash (MurmurHash3's 64-bit finaliser): nothing for the JIT to fold. */
  private static long mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    return k ^ (k >>> 33);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
