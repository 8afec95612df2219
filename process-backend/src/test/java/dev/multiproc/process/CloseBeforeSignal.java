package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Backend;
import dev.multiproc.Connection;
import dev.multiproc.Pipe;
import dev.multiproc.Queue;
import dev.multiproc.Task;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.time.Duration;
import java.util.function.Function;

/**
 * The parent's order as a child sees it: the parent closes its end of a pipe a child sent on (the
 * child is told down its stdin), then signals the child another way (an event, a value, a queue
 * item: each may reach the child without its reader); a child that sees the signal has seen the
 * close too, so its next send on the pipe is refused rather than go one-way to a closed end.
 */
final class CloseBeforeSignal {

  private CloseBeforeSignal() {}

  /** One round's signal: what the child waits for, and what the parent does to signal it. */
  record Signal(Task childAwaits, Task parentSignals) {}

  /** Twenty rounds, each with a new pipe and a new signal made by {@code signal}. */
  static void seenInOrder(Backend backend, Function<Backend, Signal> signal, Duration timeout) throws Exception {
    for (int round = 0; round < 20; round++) {
      Pipe<Integer> pipe = backend.newPipe();
      Connection<Integer> theirs = pipe.left();
      Signal s = signal.apply(backend);
      Task awaits = s.childAwaits();
      Queue<String> outcome = backend.newQueue(0);
      Worker w = backend.newWorker(() -> {
        theirs.send(0); // asks: from now on this child's sends on the pipe are one-way
        awaits.run();
        try {
          theirs.send(1);
          outcome.put("sent after the close");
        } catch (IllegalStateException e) {
          outcome.put("refused");
        }
      }, WorkerOptions.defaults()).start();
      Connection<Integer> mine = pipe.right();
      assertThat(mine.recv(timeout)).contains(0);
      mine.close();
      s.parentSignals().run();
      assertThat(outcome.get(timeout)).as("round %d", round).contains("refused");
      assertThat(w.join(timeout)).isTrue();
    }
  }
}
