package dev.multiproc;

import java.io.Serial;
import java.io.Serializable;
import java.util.Objects;

/**
 * The two ends of a duplex channel: Python's {@code a, b = multiprocessing.Pipe()}, made by
 * {@link Multiproc#pipe()}. What one end {@linkplain Connection#send sends}, the other
 * {@linkplain Connection#recv receives}, in order.
 *
 * <pre>{@code
 * Pipe<String> pipe = Multiproc.pipe();
 * Connection<String> mine = pipe.left(), theirs = pipe.right();
 * Worker w = Multiproc.worker(() -> theirs.send("pong: " + theirs.recv())).start();
 * mine.send("ping");
 * System.out.println(mine.recv());            // pong: ping
 * }</pre>
 *
 * <p>Serializable, so that a task may capture the pair; the ends are what travel.
 *
 * @param left one end
 * @param right the other end
 * @param <T> the type of the items sent
 */
public record Pipe<T>(Connection<T> left, Connection<T> right) implements Serializable {

  @Serial private static final long serialVersionUID = 1L;

  /**
   * A pipe of two connected ends.
   *
   * @throws NullPointerException if an end is null
   */
  public Pipe {
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(right, "right");
  }
}
