package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Connection;
import dev.multiproc.Pipe;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.io.EOFException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Pipe} and {@link Connection} contract: duplex, ordered, {@code poll}, timeouts,
 * closing (end-of-file after what was sent, closed ends refused), interruption, and a pipe between
 * the caller and a worker.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class PipeConformance extends ConformanceSuite {

  /** For a backend that runs this suite alone: override {@link #provider()}. */
  protected PipeConformance() {}

  PipeConformance(ConformanceHooks kit) {
    super(kit);
  }

  @Test
  @DisplayName("what one end sends the other receives, in order, both ways")
  void duplex() throws Exception {
    Pipe<String> p = backend().newPipe();
    Connection<String> a = p.left();
    Connection<String> b = p.right();
    assertThat(a.poll()).isFalse();
    assertThat(b.recv(Duration.ofMillis(50))).isEmpty();
    assertThat(b.recv(Duration.ZERO)).isEmpty();
    a.send("1");
    a.send("2");
    b.send("x");
    assertThat(b.poll()).isTrue();
    assertThat(b.recv()).isEqualTo("1");
    assertThat(b.recv(Duration.ofSeconds(1))).contains("2");
    assertThat(b.poll()).isFalse();
    assertThat(a.recv()).isEqualTo("x");
    assertThatNullPointerException().isThrownBy(() -> a.send(null));
    assertThatNullPointerException().isThrownBy(() -> a.recv(null));
  }

  @Test
  @DisplayName("after close the other end reads what was sent, then EOF; closed ends are refused")
  void closing() throws Exception {
    Pipe<Integer> p = backend().newPipe();
    Connection<Integer> a = p.left();
    Connection<Integer> b = p.right();
    a.send(1);
    a.send(2);
    a.close();
    a.close(); // idempotent
    assertThatIllegalStateException().isThrownBy(() -> a.send(3));
    assertThatIllegalStateException().isThrownBy(a::recv);
    assertThatIllegalStateException().isThrownBy(a::poll);
    assertThat(b.recv()).isEqualTo(1);
    assertThat(b.recv()).isEqualTo(2);
    assertThat(b.poll()).as("EOF is ready").isTrue();
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(b::recv).isInstanceOf(UncheckedIOException.class).hasCauseInstanceOf(EOFException.class);
    }
    assertThatThrownBy(() -> b.recv(Duration.ofSeconds(1))).isInstanceOf(UncheckedIOException.class);
    assertThatIllegalStateException().as("send to a closed end").isThrownBy(() -> b.send(9));
    b.close();
  }

  @Test
  @DisplayName("a blocked recv wakes with EOF when the other end closes, or fails when its own end closes")
  void closeWakesReceivers() throws Exception {
    Pipe<String> p = backend().newPipe();
    Background<String> r = Background.call("pipe-recv", p.right()::recv);
    r.awaitParked(patience());
    p.left().close();
    assertThat(r.failure(patience())).isInstanceOf(UncheckedIOException.class);

    Pipe<String> q = backend().newPipe();
    Background<String> own = Background.call("pipe-recv", q.right()::recv);
    own.awaitParked(patience());
    q.right().close();
    assertThat(own.failure(patience())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("an interrupted recv throws InterruptedException and loses no item")
  void interruptedRecv() throws Exception {
    Pipe<String> p = backend().newPipe();
    Thread.currentThread().interrupt();
    assertThatThrownBy(p.right()::recv).isInstanceOf(InterruptedException.class);
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> p.right().recv(Duration.ofSeconds(1))).isInstanceOf(InterruptedException.class);
    Background<String> r = Background.call("pipe-recv", p.right()::recv);
    r.awaitParked(patience());
    r.interrupt();
    assertThat(r.failure(patience())).isInstanceOf(InterruptedException.class);
    p.left().send("kept");
    assertThat(p.right().recv(patience())).contains("kept");
  }

  @Test
  @DisplayName("a pipe between the caller and a worker: ping-pong, then EOF when the worker closes its end")
  void pingPongWithAWorker() throws Exception {
    Pipe<Integer> p = backend().newPipe();
    Connection<Integer> mine = p.left();
    Connection<Integer> theirs = p.right();
    int rounds = 50;
    Worker w = backend().newWorker(() -> {
      for (int i = 0; i < rounds; i++) {
        theirs.send(theirs.recv() * 2);
      }
      theirs.send(-1);
      theirs.close();
    }, WorkerOptions.builder().name("pong").build()).start();
    for (int i = 0; i < rounds; i++) {
      mine.send(i);
      assertThat(mine.recv(patience())).as("round %s", i).contains(2 * i);
    }
    assertThat(mine.recv(patience())).contains(-1);
    assertThatThrownBy(() -> mine.recv(patience())).isInstanceOf(UncheckedIOException.class)
        .hasCauseInstanceOf(EOFException.class);
    assertThat(w.join(patience())).isTrue();
    assertThat(w.exitCode()).as("%s", w.failure()).hasValue(0);
  }
}
