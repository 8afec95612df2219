package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A caller spinning for its reply in the ring's mailbox, the parent's side played here: a reply
 * taken from the mailbox is returned only after the child's reader has handled what the parent
 * wrote to the pipe before it; one that goes down the pipe instead (the caller stopped spinning)
 * still reaches the caller.
 */
@Timeout(60)
class ParentCallsTest {

  @Test
  void aMailedReplyWaitsForTheReaderAndAPipedOneStillArrives() throws Exception {
    Ring parent = Ring.create();
    parent.map();
    Ring child = Ring.open(parent.path(), OutputStream.nullOutputStream());
    List<String> events = new CopyOnWriteArrayList<>();
    ParentCalls calls = new ParentCalls(new FrameWriter(OutputStream.nullOutputStream(), child),
        () -> events.add("reader caught up"));
    int mailed = 0;
    int piped = 0;
    // A round is mailed if this thread answers within the caller's spin; on a busy machine some
    // are not, and go down the pipe as the reader would pass them on.
    for (int round = 0; round < 200 && (mailed < 5 || piped < 1); round++) {
      events.clear();
      AtomicReference<ParentCalls.Reply> reply = new AtomicReference<>();
      Thread caller = new Thread(() -> {
        reply.set(calls.requestNow(Msg.QUEUE_OP, new Buf(4).writeByte(1)));
        events.add("returned");
      });
      caller.start();
      long id = awaitRequest(parent);
      Buf answer = new Buf(4).writeByte(Msg.R_TRUE).writeByte(round);
      boolean viaPipe = round % 10 == 9; // now and then as if too long for the mailbox
      if (!viaPipe && parent.deliver(id, answer)) {
        mailed++;
        caller.join();
        assertThat(events).as("round " + round).containsExactly("reader caught up", "returned");
      } else {
        piped++;
        calls.replied(id, new Buf.In(answer.bytes, 0, answer.size));
        caller.join();
        assertThat(events).as("round " + round).containsExactly("returned");
      }
      assertThat(reply.get().status).isEqualTo(Msg.R_TRUE);
      assertThat(reply.get().payload.readByte()).isEqualTo(round & 0xFF);
    }
    assertThat(mailed).as("replies taken from the mailbox").isGreaterThanOrEqualTo(5);
    assertThat(piped).as("replies passed on by the reader").isGreaterThanOrEqualTo(1);
    parent.deleteFile();
  }

  /** Waits for the next request on the ring; returns its id. */
  private static long awaitRequest(Ring parent) {
    long[] id = {-1};
    while (id[0] < 0) {
      parent.drain((ring, flags, length) -> {
        byte[] b = new byte[length];
        ring.copy(b, 0, length);
        Buf.In m = new Buf.In(b);
        assertThat(m.readByte()).isEqualTo(Msg.QUEUE_OP);
        id[0] = m.readVarLong();
      }, parent.published());
      Thread.onSpinWait();
    }
    return id[0];
  }
}
