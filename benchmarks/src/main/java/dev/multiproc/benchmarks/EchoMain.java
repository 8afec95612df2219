package dev.multiproc.benchmarks;

import java.io.IOException;

/**
 * The floor for a child JVM: starts, reads one byte from stdin, writes it back, exits. A child of
 * the process backend cannot be ready sooner than this; {@link SideBySide} times both.
 */
public final class EchoMain {

  private EchoMain() {}

  /**
   * Echoes one byte.
   *
   * @param args ignored
   * @throws IOException if stdin or stdout fails
   */
  public static void main(String[] args) throws IOException {
    int b = System.in.read();
    System.out.write(b);
    System.out.flush();
  }
}
