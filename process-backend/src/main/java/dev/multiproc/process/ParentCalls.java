package dev.multiproc.process;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child's calls to the parent: the requests of queue and event proxies, each answered by one
 * {@link Msg#REPLY} that the channel's reader passes to {@link #replied}. Any thread may call; a
 * caller waits on its own latch, never on a lock.
 */
final class ParentCalls {

  private final FrameWriter out;
  private final ConcurrentHashMap<Long, Pending> requests = new ConcurrentHashMap<>();
  private final AtomicLong requestIds = new AtomicLong();

  ParentCalls(FrameWriter out) {
    this.out = out;
  }

  /** The parent answered request {@code id}: wakes its caller. Reader thread. */
  void replied(long id, Buf.In m) {
    Pending p = requests.remove(id);
    if (p != null) {
      p.complete(new Reply(id, m));
    }
  }

  /** A reply from the parent. */
  static final class Reply {
    final long id;
    final int status;
    final Buf.In payload;

    Reply(long id, Buf.In m) {
      this.id = id;
      this.status = m.readByte();
      this.payload = m;
    }
  }

  private static final class Pending {
    private final CountDownLatch latch = new CountDownLatch(1);
    private volatile Reply reply;

    void complete(Reply r) {
      reply = r;
      latch.countDown();
    }

    Reply await() throws InterruptedException {
      latch.await();
      return reply;
    }

    Reply awaitUninterruptibly() {
      boolean interrupted = false;
      while (true) {
        try {
          latch.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return reply;
    }
  }

  /**
   * Sends a request and waits for the reply. If interrupted while waiting, tells the parent to
   * cancel and waits for its final answer: a cancelled request throws
   * {@link InterruptedException}; one that completed anyway returns with the interrupt flag set.
   */
  Reply request(int type, Buf payload) throws InterruptedException {
    long id = requestIds.incrementAndGet();
    Pending p = new Pending();
    requests.put(id, p);
    out.send(type, id, payload);
    try {
      return p.await();
    } catch (InterruptedException e) {
      out.send(Msg.CANCEL, id, null);
      Reply r = p.awaitUninterruptibly();
      if (r.status == Msg.R_CANCELLED) {
        Thread.interrupted();
        throw e;
      }
      Thread.currentThread().interrupt();
      return r;
    }
  }

  /** A request whose answer comes at once (no waiting in the parent): not interruptible. */
  Reply requestNow(int type, Buf payload) {
    long id = requestIds.incrementAndGet();
    Pending p = new Pending();
    requests.put(id, p);
    out.send(type, id, payload);
    return p.awaitUninterruptibly();
  }
}
