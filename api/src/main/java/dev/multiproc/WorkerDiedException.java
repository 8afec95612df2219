package dev.multiproc;

import java.io.Serial;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The worker running a task died before the task finished: its process was killed, crashed,
 * called {@code System.exit}, ran out of memory, or was stopped because the task overran its
 * {@linkplain PoolOptions#taskTimeout() timeout}. A pool replaces the worker and stays usable.
 */
public class WorkerDiedException extends MultiprocException {

  @Serial private static final long serialVersionUID = 1L;

  /** The worker's exit code; meaningful only when {@link #hasExitCode}. */
  private final int exitCode;
  /** Whether the exit code is known. */
  private final boolean hasExitCode;
  /** The index of the item being processed, or -1 if the task was not an item. */
  private final long itemIndex;

  /**
   * An exception for a worker that died.
   *
   * @param message what happened, naming the worker
   * @param exitCode the worker's exit code (as {@link Worker#exitCode()}), or null if unknown
   * @param itemIndex the index of the item being processed, or -1 if not an item
   * @param cause what is known of the cause (for example the error that ended the child), or null
   */
  public WorkerDiedException(String message, Integer exitCode, long itemIndex, Throwable cause) {
    super(message, cause);
    this.hasExitCode = exitCode != null;
    this.exitCode = exitCode == null ? 0 : exitCode;
    this.itemIndex = itemIndex;
  }

  /** {@return the dead worker's exit code, if known: N from {@code System.exit(N)}, -N for signal N} */
  public OptionalInt exitCode() {
    return hasExitCode ? OptionalInt.of(exitCode) : OptionalInt.empty();
  }

  /** {@return the index of the item whose worker died, if the task was one of many items} */
  public OptionalLong itemIndex() {
    return itemIndex < 0 ? OptionalLong.empty() : OptionalLong.of(itemIndex);
  }

  /**
   * This failure as seen by item {@code index} of a {@code map} or iterator.
   *
   * @param index the item's index
   * @return a new exception naming the item, with the same exit code and cause
   */
  public WorkerDiedException forItem(long index) {
    WorkerDiedException e = new WorkerDiedException(
        "item " + index + ": " + getMessage(), hasExitCode ? exitCode : null, index, getCause());
    return e;
  }
}
