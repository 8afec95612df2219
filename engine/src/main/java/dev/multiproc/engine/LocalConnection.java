package dev.multiproc.engine;

import dev.multiproc.Connection;
import dev.multiproc.Pipe;
import java.io.EOFException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One end of a {@link Pipe} in this JVM. A pipe is two unbounded {@link LocalQueue}s, one per
 * direction; an end receives from one and sends into the other. Closing an end puts an
 * end-of-file marker behind what it sent (the other end reads it after every item) and one into
 * its own inbox (its own blocked receivers wake and find it closed). A receiver that takes the
 * marker puts it back, so every later receive sees it too.
 *
 * <p>Internal: shared by the backends (the process backend keeps its pipes here, items encoded),
 * no compatibility promise.
 *
 * @param <T> the item type
 */
public final class LocalConnection<T> implements Connection<T> {

  private static final Object EOF = new Object() {
    @Override
    public String toString() {
      return "EOF";
    }
  };

  private final String name;
  private final LocalQueue<Object> inbox;
  private final LocalQueue<Object> outbox;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Runnable onClose;
  private LocalConnection<T> peer; // set once by pipe(), before the ends are published

  private LocalConnection(String name, LocalQueue<Object> inbox, LocalQueue<Object> outbox) {
    this.name = name;
    this.inbox = inbox;
    this.outbox = outbox;
  }

  /**
   * Makes a pipe: two connected ends.
   *
   * @param <T> the item type
   * @return the pipe
   */
  public static <T> Pipe<T> pipe() {
    return pipe(new LocalQueue<>(0), new LocalQueue<>(0));
  }

  /**
   * Makes a pipe over two unbounded queues the caller made (the process backend lends their items
   * to a child that receives, as it lends a queue's).
   *
   * @param <T> the item type
   * @param leftToRight what the left end sends and the right end receives
   * @param rightToLeft the other way
   * @return the pipe
   */
  public static <T> Pipe<T> pipe(LocalQueue<Object> leftToRight, LocalQueue<Object> rightToLeft) {
    LocalConnection<T> left = new LocalConnection<>("left", rightToLeft, leftToRight);
    LocalConnection<T> right = new LocalConnection<>("right", leftToRight, rightToLeft);
    left.peer = right;
    right.peer = left;
    return new Pipe<>(left, right);
  }

  @Override
  public void send(T item) {
    Objects.requireNonNull(item, "item");
    if (closed.get()) {
      throw new IllegalStateException("send() on the closed " + name + " end of a pipe");
    }
    if (peer.closed.get()) {
      throw new IllegalStateException("send() on the " + name + " end of a pipe whose other end is closed:"
          + " nothing would receive it (Python's BrokenPipeError)");
    }
    outbox.tryPut(item); // unbounded: always added
  }

  @Override
  public T recv() throws InterruptedException {
    checkOpen("recv()");
    return item(inbox.get());
  }

  @Override
  public Optional<T> recv(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    checkOpen("recv(timeout)");
    Optional<Object> o = inbox.get(timeout);
    return o.isEmpty() ? Optional.empty() : Optional.of(item(o.get()));
  }

  /**
   * Receives an item if one is there now, without waiting.
   *
   * @return the item, or empty
   * @throws UncheckedIOException at end-of-file
   * @throws IllegalStateException if this end is closed
   */
  public Optional<T> tryRecv() {
    checkOpen("recv()");
    Optional<Object> o = inbox.tryGet();
    return o.isEmpty() ? Optional.empty() : Optional.of(item(o.get()));
  }

  /**
   * @param item an item taken from an end's inbox
   * @return true if it is the end-of-file marker, which a receiver that took it must put back
   */
  public static boolean isEndOfFile(Object item) {
    return item == EOF;
  }

  /** @return what a receive that found the end-of-file marker throws now: this end closed, or the other */
  public RuntimeException endOfFile() {
    if (closed.get()) {
      return new IllegalStateException("recv() on the closed " + name + " end of a pipe");
    }
    return new UncheckedIOException(new EOFException(
        "the other end of the pipe is closed and everything it sent has been received"));
  }

  @SuppressWarnings("unchecked")
  private T item(Object o) {
    if (o == EOF) {
      inbox.putBack(EOF);
      throw endOfFile();
    }
    return (T) o;
  }

  private void checkOpen(String call) {
    if (closed.get()) {
      throw new IllegalStateException(call + " on the closed " + name + " end of a pipe");
    }
  }

  @Override
  public boolean poll() {
    checkOpen("poll()");
    return inbox.size() > 0;
  }

  /** @return true if this end is closed */
  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      outbox.tryPut(EOF);
      inbox.tryPut(EOF);
      Runnable r = onClose;
      if (r != null) {
        r.run();
      }
    }
  }

  /** Sets what {@link #close} runs once, after closing, on the closing thread; must not block. */
  public void onClose(Runnable r) {
    this.onClose = r;
  }

  @Override
  public String toString() {
    return "LocalConnection{" + name + (closed.get() ? ", closed" : "") + "}";
  }
}
