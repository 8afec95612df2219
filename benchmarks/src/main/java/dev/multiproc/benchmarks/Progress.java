package dev.multiproc.benchmarks;

import java.io.Console;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr over the rounds of one measurement ({@code me.tongfei:progressbar}),
 * that never runs during a timed loop: it draws only when {@link #step()} is called, between
 * rounds, never from its own thread (whose update interval is set beyond any run). On a terminal
 * it redraws one line; otherwise (a pipe, a log file) it prints a plain ASCII line per round.
 */
final class Progress implements AutoCloseable {

  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /**
   * A bar for {@code rounds} rounds of {@code name}, on stderr.
   *
   * @param name the measurement
   * @param rounds how many times {@link #step()} will be called
   * @return the bar, drawn at 0
   */
  static Progress of(String name, int rounds) {
    ProgressBarBuilder b = ProgressBar.builder().setTaskName(name).setInitialMax(rounds).setUnit(" rounds", 1)
        .setUpdateIntervalMillis(Integer.MAX_VALUE).hideEta();
    if (!isTerminal()) {
      b.setStyle(ProgressBarStyle.ASCII).setConsumer(new DelegatingProgressBarConsumer(System.err::println, 100));
    }
    return new Progress(b.build());
  }

  /** One round done: draws the bar now, between two timed rounds (the last one: on {@link #close()}). */
  void step() {
    bar.step();
    if (bar.getCurrent() < bar.getMax()) {
      bar.refresh();
    }
  }

  @Override
  public void close() {
    bar.close();
  }

  /** Whether this JVM writes to a terminal (JDK 22+ say so with Console.isTerminal; on 21 a console means one). */
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
