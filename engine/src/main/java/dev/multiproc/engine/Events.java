package dev.multiproc.engine;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * multiproc's Java Flight Recorder events, all under the category {@code multiproc}: record with
 * {@code java -XX:StartFlightRecording ...} (or JDK Mission Control) and look for
 * {@code dev.multiproc.*}. Disabled events cost next to nothing.
 *
 * <p>Every use asks {@link #recording()} first and makes no event while it is false: the first
 * event class a JVM loads sets up the Flight Recorder's Java side (about a hundred classes and
 * their bytecode instrumentation: 0.4 s of CPU on the 2-core CI machine), a cost a program that
 * records nothing must never pay on its first map or its first child.
 *
 * <p>Internal: shared by the backends, no compatibility promise (the event names and fields are
 * documented in the README).
 */
public final class Events {

  private Events() {}

  /**
   * True once the Flight Recorder runs in this JVM (a recording was started, from the command
   * line, {@code jcmd} or the API); until then no event is made and no event class is loaded.
   */
  public static boolean recording() {
    return FlightRecorder.isInitialized();
  }

  /** A pool worker ran a chunk of {@code map}/{@code imap} items, or one {@code submit}. */
  @Name("dev.multiproc.Chunk")
  @Label("multiproc chunk")
  @Category("multiproc")
  @Description("A pool worker ran a chunk of map items or a submitted task")
  public static final class Chunk extends Event {
    /** The pool's name. */
    @Label("Pool")
    public String pool;

    /** How many items the chunk held; 0 for a submitted task. */
    @Label("Items")
    public int items;
  }

  /** A {@code Queue.get} that had to wait for an item. */
  @Name("dev.multiproc.QueueWait")
  @Label("multiproc queue wait")
  @Category("multiproc")
  @Description("A get on a multiproc Queue that waited because the queue was empty")
  public static final class QueueWait extends Event {
    /** Whether an item came (false: the timeout passed). */
    @Label("Got an item")
    public boolean gotItem;
  }

  /** A child JVM of the process backend started (from launch until it was ready). */
  @Name("dev.multiproc.ChildStart")
  @Label("multiproc child start")
  @Category("multiproc")
  @Description("A child JVM of the process backend, from launch until ready")
  public static final class ChildStart extends Event {
    /** The worker's name. */
    @Label("Worker")
    public String worker;

    /** The child's process id. */
    @Label("PID")
    public long pid;

    /** Whether it became ready (false: it exited or timed out first). */
    @Label("Ready")
    public boolean ready;
  }

  /** A child JVM of the process backend exited. */
  @Name("dev.multiproc.ChildExit")
  @Label("multiproc child exit")
  @Category("multiproc")
  @Description("A child JVM of the process backend exited; a pool replaces one it still needs")
  public static final class ChildExit extends Event {
    /** The worker's name. */
    @Label("Worker")
    public String worker;

    /** The child's process id. */
    @Label("PID")
    public long pid;

    /** Its exit code: -N for signal N. */
    @Label("Exit code")
    public int exitCode;
  }

  /**
   * A pool of the process backend replaced a child JVM: from the decision (the old child died, or
   * reached {@code PoolOptions.maxTasksPerWorker}) until its replacement was ready, or the pool
   * gave up and broke.
   */
  @Name("dev.multiproc.ChildReplace")
  @Label("multiproc child replacement")
  @Category("multiproc")
  @Description("A pool of the process backend started a child JVM in place of one that died or retired")
  public static final class ChildReplace extends Event {
    /** The pool's name. */
    @Label("Pool")
    public String pool;

    /** The name of the worker replaced. */
    @Label("Replaced")
    public String replaced;

    /** Why: {@code died (exit code N)} or {@code retired (maxTasksPerWorker)}. */
    @Label("Reason")
    public String reason;

    /** The replacement worker's name; null if none could be started. */
    @Label("Worker")
    public String worker;

    /** The replacement's process id; 0 if none could be started. */
    @Label("PID")
    public long pid;

    /** Whether the replacement became ready (false: the pool broke). */
    @Label("Ready")
    public boolean ready;
  }
}
