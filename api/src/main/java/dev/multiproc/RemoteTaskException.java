package dev.multiproc;

import java.io.Serial;
import java.util.Objects;

/**
 * An exception thrown by a task in another JVM whose class cannot be rebuilt here (not on this
 * class path, or not serializable). It carries the same facts: the remote class name, the message,
 * the remote stack trace (as this exception's own {@link #getStackTrace() stack trace}) and the
 * cause chain (each link rebuilt or itself a {@code RemoteTaskException}).
 *
 * <p>{@link #toString()} reads like the original: {@code com.example.BadThing: message}.
 */
public class RemoteTaskException extends MultiprocException {

  @Serial private static final long serialVersionUID = 1L;

  /** The binary name of the remote exception's class. */
  private final String remoteClassName;
  /** The remote exception's message, may be null. */
  private final String remoteMessage;

  /**
   * An exception that stands for a remote one.
   *
   * @param remoteClassName the binary name of the remote exception's class
   * @param remoteMessage its message, may be null
   * @param remoteStackTrace its stack trace
   * @param cause its cause, rebuilt, or null
   */
  @SuppressWarnings("this-escape") // setStackTrace is Throwable's own; subclasses do not override it
  public RemoteTaskException(
      String remoteClassName, String remoteMessage, StackTraceElement[] remoteStackTrace, Throwable cause) {
    super(remoteMessage == null ? remoteClassName : remoteClassName + ": " + remoteMessage, cause);
    this.remoteClassName = Objects.requireNonNull(remoteClassName, "remoteClassName");
    this.remoteMessage = remoteMessage;
    setStackTrace(remoteStackTrace.clone());
  }

  /** {@return the binary name of the remote exception's class} */
  public String remoteClassName() {
    return remoteClassName;
  }

  /** {@return the remote exception's message, may be null} */
  public String remoteMessage() {
    return remoteMessage;
  }

  @Override
  public String toString() {
    return remoteMessage == null ? remoteClassName : remoteClassName + ": " + remoteMessage;
  }
}
