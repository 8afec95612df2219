package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A child thread waiting for a reply spins for it in its ring's mailbox, where the parent puts it
 * instead of writing it to the pipe ({@link ParentCalls}, {@link Ring#deliver}): replies arrive
 * whole and in order, and what the parent sent down the pipe before a reply is acted on first.
 */
@Timeout(120)
class MailboxIT extends WithProcessBackend {

  @Test
  void pingPongRepliesComeThroughTheMailboxWholeAndInOrder() throws Exception {
    Queue<Object> there = backend.newQueue(0);
    Queue<Object> back = backend.newQueue(0);
    Worker w = backend.newWorker(() -> {
      while (true) {
        Object x = there.get();
        if (x.equals(-1)) {
          return;
        }
        back.put(x);
      }
    }, WorkerOptions.defaults()).start();
    long mailed = Hub.MAILED.sum();
    String text = "x".repeat(Ring.MAIL_CAPACITY); // longer than the mailbox takes: down the pipe
    for (int i = 0; i < 2_000; i++) {
      Object item = i % 100 == 99 ? text + i : (Object) i;
      there.put(item);
      assertThat(back.get(LONG)).contains(item);
    }
    there.put(-1);
    assertThat(w.join(LONG)).isTrue();
    assertThat(w.exitCode()).hasValue(0);
    assertThat(Hub.MAILED.sum() - mailed).as("replies put in the mailbox").isPositive();
  }

  /**
   * The parent closes a pipe end (the child, which sent on it before, is told down the pipe), then
   * puts the item a child thread spins for: the child acts on the item after the close, so its
   * next send on the pipe throws rather than go one-way to a closed end.
   */
  @Test
  void whatTheParentSentBeforeAMailedReplyIsHandledFirst() throws Exception {
    long mailed = Hub.MAILED.sum();
    CloseBeforeSignal.seenInOrder(backend, b -> {
      Queue<Integer> go = b.newQueue(0);
      return new CloseBeforeSignal.Signal(go::get, () -> go.put(1));
    }, LONG);
    assertThat(Hub.MAILED.sum() - mailed).as("replies put in the mailbox").isPositive();
  }
}
