package dev.multiproc;

import java.io.Serial;

/** The base of every exception multiproc defines. Unchecked. */
public class MultiprocException extends RuntimeException {

  @Serial private static final long serialVersionUID = 1L;

  /**
   * An exception with a message.
   *
   * @param message what happened and what to do
   */
  public MultiprocException(String message) {
    super(message);
  }

  /**
   * An exception with a message and a cause.
   *
   * @param message what happened and what to do
   * @param cause the underlying exception
   */
  public MultiprocException(String message, Throwable cause) {
    super(message, cause);
  }
}
