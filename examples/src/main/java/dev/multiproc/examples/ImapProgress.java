package dev.multiproc.examples;

import dev.multiproc.Multiproc;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import java.io.Console;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A long {@code imap} with a progress bar, as Python programs wrap it in {@code tqdm}:
 *
 * <pre>
 * with Pool(4) as p:
 *     for r in tqdm(p.imap(f, range(200)), total=200):
 *         results.append(r)
 * </pre>
 *
 * The bar is {@code me.tongfei:progressbar} on stderr, so stdout keeps only the results. On a
 * terminal it redraws one line; when stderr is a file or a pipe (CI, {@code 2>log}) it prints a
 * plain ASCII line a second instead, with no carriage returns or colours.
 */
public final class ImapProgress {

  static final int WORKERS = 4;
  static final int ITEMS = 200;

  private ImapProgress() {}

  /**
   * Runs this example alone; takes the launcher's options ({@code --backend <name>}).
   *
   * @param args the launcher's options
   */
  public static void main(String[] args) {
    Examples.runAlone("imap-progress", args);
  }

  static void run(PrintStream out, Settings settings) {
    run(out, System.err, isTerminal(), settings);
  }

  /**
   * The example, with the bar on {@code progress}: redrawn in place if {@code terminal}, else a
   * line at a time.
   */
  static void run(PrintStream out, PrintStream progress, boolean terminal, Settings settings) {
    List<Integer> xs = IntStream.range(0, ITEMS).boxed().toList();         // range(200)
    long pauseNanos = settings.interval().dividedBy(25).toNanos();          // each item "works" 20 ms by default
    List<Long> results = new ArrayList<>();
    try (Pool p = Multiproc.pool(PoolOptions.builder().workers(WORKERS).chunkSize(1).build()); // with Pool(4) as p:
        ProgressBar bar = bar(progress, terminal)) {                        // tqdm(..., total=200)
      Iterator<Long> it = p.imap(x -> slowSquare(x, pauseNanos), xs);       // p.imap(f, range(200))
      while (it.hasNext()) {                                                // for r in ...:
        results.add(it.next());                                             //     results.append(r)
        bar.step();
      }
    }
    long sum = 0;
    for (int i = 0; i < results.size(); i++) {
      if (results.get(i) != (long) i * i) {
        throw new AssertionError("result " + i + " is " + results.get(i) + ", expected " + (long) i * i);
      }
      sum += results.get(i);
    }
    out.println("imap over " + ITEMS + " items, progress on stderr: " + results.size()
        + " results in input order, sum of squares " + sum);
  }

  private static ProgressBar bar(PrintStream progress, boolean terminal) {
    ProgressBarBuilder b = ProgressBar.builder().setTaskName("imap").setInitialMax(ITEMS).showSpeed();
    if (terminal) {
      b.setUpdateIntervalMillis(100);
    } else {
      b.setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000)
          .setConsumer(new DelegatingProgressBarConsumer(progress::println, 100));
    }
    return b.build();
  }

  /** {@code f}: the square of {@code x}, after {@code pauseNanos} of simulated work. */
  static long slowSquare(int x, long pauseNanos) throws InterruptedException {
    Thread.sleep(Duration.ofNanos(pauseNanos));
    return (long) x * x;
  }

  /** Whether stdout is a terminal (JDK 22+ say so with Console.isTerminal; on 21 a console means one). */
  static boolean isTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }
}
