package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Connection;
import dev.multiproc.Event;
import dev.multiproc.Pipe;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A child's pipe sends after the first are one-way ({@link ChildSync.ChildConnection#send}), and
 * still throw once an end of the pipe is closed: the parent tells the children that used it.
 */
@Timeout(120)
class PipeSendIT extends WithProcessBackend {

  @Test
  void aChildsSendsArriveInOrderAndThrowOnceTheOtherEndIsClosed() throws Exception {
    Pipe<Integer> pipe = backend.newPipe();
    Connection<Integer> theirs = pipe.left();
    Event closed = backend.newEvent();
    Queue<String> outcome = backend.newQueue(0);
    Worker w = backend.newWorker(() -> {
      for (int i = 0; i < 10_000; i++) {
        theirs.send(i);
      }
      closed.await();
      try {
        theirs.send(-1);
        outcome.put("sent");
      } catch (IllegalStateException e) {
        outcome.put("refused: " + e.getMessage());
      }
    }, WorkerOptions.defaults()).start();
    Connection<Integer> mine = pipe.right();
    for (int i = 0; i < 10_000; i++) {
      assertThat(mine.recv()).isEqualTo(i);
    }
    mine.close();
    closed.set();
    assertThat(outcome.get(LONG).orElseThrow()).as("the first send after the close throws").startsWith("refused");
    assertThat(w.join(LONG)).isTrue();
    assertThat(w.exitCode()).hasValue(0);
  }
}
