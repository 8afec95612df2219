package dev.multiproc;

import java.io.Serial;
import java.util.OptionalLong;

/**
 * A task threw. {@link #getCause()} is what it threw: the original exception where its class can
 * be rebuilt in this JVM, else a {@link RemoteTaskException} carrying the remote class name,
 * message and stack trace. Thrown by {@link Pool#map} and the {@link Pool#imap} iterators, whose
 * message names the failing item's index.
 */
public class TaskFailedException extends MultiprocException {

  @Serial private static final long serialVersionUID = 1L;

  /** The index of the failing item in the input, or -1 if the task was not an item. */
  private final long itemIndex;

  /**
   * An exception for a task that threw.
   *
   * @param message what happened
   * @param cause what the task threw
   * @param itemIndex the index of the failing item in the input, or -1 if not an item
   */
  public TaskFailedException(String message, Throwable cause, long itemIndex) {
    super(message, cause);
    this.itemIndex = itemIndex;
  }

  /**
   * A failure of item {@code index} of a {@code map} or iterator.
   *
   * @param index the item's index in the input
   * @param cause what the function threw
   * @return the exception, with a message naming the index and the cause
   */
  public static TaskFailedException ofItem(long index, Throwable cause) {
    return new TaskFailedException("task failed on item " + index + ": " + cause, cause, index);
  }

  /** {@return the index of the failing item in the input, if the task was one of many items} */
  public OptionalLong itemIndex() {
    return itemIndex < 0 ? OptionalLong.empty() : OptionalLong.of(itemIndex);
  }
}
