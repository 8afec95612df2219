package dev.multiproc;

import java.io.Serial;

/**
 * A task, item, result or queue item cannot be sent to another process. The message names the
 * offending class and the path of fields that leads to it, for example
 * {@code task -> this$0 -> lock (java.util.concurrent.locks.ReentrantLock)}. Nothing was sent: the
 * call failed before any work started.
 *
 * <p>Usual fixes: make the class {@link java.io.Serializable}, mark the field {@code transient},
 * or avoid capturing {@code this} in a lambda (copy the fields it needs into local variables).
 */
public class NotShippableException extends MultiprocException {

  @Serial private static final long serialVersionUID = 1L;

  /**
   * An exception with a message and the serializer's exception.
   *
   * @param message what could not be sent, with the field path
   * @param cause the serializer's exception
   */
  public NotShippableException(String message, Throwable cause) {
    super(message, cause);
  }
}
