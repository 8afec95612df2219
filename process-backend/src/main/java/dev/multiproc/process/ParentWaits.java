package dev.multiproc.process;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads of this JVM blocked waiting for what a child sends: an item on a queue, a message on a
 * pipe end, an event's flag. While there are any, a child's reader spins a moment for the child's
 * next records before it sleeps ({@link Child#awaitRecords}): the wait is then most likely a round
 * trip with a child, and the answer comes sooner than the doorbell that would wake the sleeping
 * reader. Measured (benchmarks/RESULTS.md, rounds 2-11 of 12 × 2,000 round trips, three
 * alternations): a ping-pong over a pipe 60-69 µs against 66-69, over two events 61-83 against
 * 86-97; a barrier of the parent and a child gained nothing, and is left out.
 */
final class ParentWaits {

  private static final AtomicInteger BLOCKED = new AtomicInteger();

  private ParentWaits() {}

  /** A thread starts a blocking wait; {@link #end()} must follow, in a finally. */
  static void begin() {
    BLOCKED.incrementAndGet();
  }

  static void end() {
    BLOCKED.decrementAndGet();
  }

  /** @return true if a thread of this JVM is blocked in such a wait now */
  static boolean any() {
    return BLOCKED.get() > 0;
  }
}
