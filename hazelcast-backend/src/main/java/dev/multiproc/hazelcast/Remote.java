package dev.multiproc.hazelcast;

import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import dev.multiproc.MultiprocException;
import dev.multiproc.NotShippableException;

/** How failures of cluster calls reach the caller. */
final class Remote {

  private Remote() {}

  /**
   * @param e what a call on a queue, event or map threw
   * @param what the structure, for the message
   * @return the exception to throw instead
   */
  static RuntimeException translate(RuntimeException e, String what) {
    if (interrupted(e)) {
      Thread.currentThread().interrupt();
      return new MultiprocException(what + ": interrupted during a call to the cluster", e);
    }
    if (e instanceof HazelcastSerializationException) {
      return new NotShippableException(what + ": an item cannot be sent to the cluster: " + e.getMessage()
          + ". Items must be Serializable and their classes on every member's class path.", e);
    }
    if (isInactive(e)) {
      return new IllegalStateException(what + " cannot reach its Hazelcast cluster: this JVM's member or client has shut down"
          + " (the backend was closed, or lost its cluster)", e);
    }
    if (e instanceof MultiprocException || e instanceof IllegalArgumentException || e instanceof NullPointerException) {
      return e;
    }
    return new MultiprocException(what + ": the Hazelcast call failed: " + e, e);
  }

  /** @return true if a Hazelcast call failed because the calling thread was interrupted */
  static boolean interrupted(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** @return true if {@code e} says that this JVM's instance is no longer running */
  static boolean isInactive(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HazelcastInstanceNotActiveException
          || t.getClass().getName().equals("com.hazelcast.client.HazelcastClientNotActiveException")) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** @return true if {@code e} says that the member a call went to left the cluster or cannot be reached */
  static boolean memberGone(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MemberLeftException || t instanceof TargetNotMemberException
          || t instanceof TargetDisconnectedException
          || t.getClass().getName().equals("com.hazelcast.client.HazelcastClientOfflineException")) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
