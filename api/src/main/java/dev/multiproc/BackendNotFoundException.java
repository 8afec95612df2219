package dev.multiproc;

import java.io.Serial;

/**
 * The configured backend is not on the class path, no backend is, or two providers claim one name.
 * The message says where the configured name came from, which backends are available and which
 * artifact to add.
 */
public class BackendNotFoundException extends MultiprocException {

  @Serial private static final long serialVersionUID = 1L;

  /**
   * An exception with a message.
   *
   * @param message what is wrong and what to do
   */
  public BackendNotFoundException(String message) {
    super(message);
  }
}
