package dev.multiproc.process;

/**
 * The process backend's logger, in a class of its own so that it is made on first use: getting a
 * {@link System.Logger} starts the logging framework ({@code java.util.logging}), 15-40 ms of a
 * JVM's start, which a child that logs nothing (nearly all) should not pay, nor a parent before it
 * has something to say.
 */
final class ProcessLog {

  static final System.Logger LOG = System.getLogger("dev.multiproc.process");

  private ProcessLog() {}
}
