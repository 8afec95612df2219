package dev.multiproc.process;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child's calls to the parent: the requests of queue and event proxies, each answered by one
 * {@link Msg#REPLY} that the channel's reader passes to {@link #replied}. Any thread may call; a
 * caller waits on its own latch, never on a lock.
 *
 * <p>With a {@link Ring}, one calling thread at a time spins for its reply in the ring's mailbox
 * ({@link Ring#offer}), where the parent puts it instead of writing it to the pipe: no wake-up of
 * the child's reader, no hand-off from it to the caller (each is 10-15 microseconds on a 2-core
 * machine, where a round trip over a pipe is 20-25). Spinning takes a core while the parent
 * answers, so a caller spins at most {@link #SPIN_NANOS}, only on a machine with two cores or more
 * ({@link Ring#MAY_SPIN}), and not again for a while after a spin that went unanswered (a caller waiting long for an item).
 */
final class ParentCalls {

  /**
   * How long a caller spins for its reply before it waits on its latch ({@link Ring#pause} at each
   * look, so that where the parent's threads share the core they run first). Measured on 2 cores
   * (ping-pong over two queues, one child): spinning 100 µs without yielding missed one reply in
   * six (the parent's threads waited for the spinning core); 100-300 µs with yielding, 1 in
   * 250-700; 200 µs the fastest of those.
   */
  static final long SPIN_NANOS = 200_000;

  /** Calls that wait on their latch, without spinning, after a spin went unanswered. */
  private static final int SKIP_AFTER_MISS = 16;

  private final FrameWriter out;
  private final Runnable awaitHandled;
  private final ConcurrentHashMap<Long, Pending> requests = new ConcurrentHashMap<>();
  /** Request ids: from a random start, so that no two children that use one ring in turn share one ({@link Ring#deliver}). */
  private final AtomicLong requestIds = new AtomicLong(ThreadLocalRandom.current().nextLong(1L << 48));
  /** Calls left to go without spinning; racy by design (a hint). */
  private volatile int skip;
  /** Set once this child has started setting the mailbox up ({@link #warmInBackground}). */
  private final AtomicBoolean warming = new AtomicBoolean();

  /**
   * @param awaitHandled waits until the child's reader has handled what the parent sent before a
   *     reply taken from the mailbox ({@link ChildChannel#awaitHandled}), so that it is acted on in
   *     the parent's order
   */
  ParentCalls(FrameWriter out, Runnable awaitHandled) {
    this.out = out;
    this.awaitHandled = awaitHandled;
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
    Reply spun = send(type, id, payload, p);
    if (spun != null) {
      return spun;
    }
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
    Reply spun = send(type, id, payload, p);
    return spun != null ? spun : p.awaitUninterruptibly();
  }

  /**
   * Sends request {@code id} and, if this call may, spins for its reply.
   *
   * @return the reply, or null: wait for it on the latch
   */
  private Reply send(int type, long id, Buf payload, Pending p) {
    Ring mailbox = offer(id);
    out.send(type, id, payload);
    warmInBackground();
    return mailbox == null ? null : spin(mailbox, id, p);
  }

  /** @return the ring whose mailbox this call spins on, or null if it waits on its latch alone */
  private Ring offer(long id) {
    Ring ring = out.ring();
    if (ring == null || !Ring.MAY_SPIN) {
      return null;
    }
    if (!Ring.mailboxReady()) {
      return null; // set up after the send (warmInBackground)
    }
    if (skip > 0) {
      skip--;
      return null;
    }
    return ring.offer(id) ? ring : null;
  }

  /**
   * Sets the mailbox up on a thread of its own, once, after this child's first call was sent: its
   * calls wait on their latch meanwhile.
   */
  private void warmInBackground() {
    if (!warming.get() && Ring.MAY_SPIN && out.ring() != null && !Ring.mailboxReady() && warming.compareAndSet(false, true)) {
      Thread t = new Thread(Ring::warmMailbox, "multiproc-child-mailbox");
      t.setDaemon(true);
      t.start();
    }
  }

  /**
   * Spins for the reply to request {@code id}: in the mailbox, or from the reader if the parent
   * wrote it to the pipe (a long one).
   *
   * @return the reply, or null if it did not come in time (or the caller was interrupted): the
   *     mailbox is withdrawn, and the caller waits on its latch
   */
  private Reply spin(Ring mailbox, long id, Pending p) {
    long start = System.nanoTime();
    while (true) {
      byte[] mail = mailbox.collect(id);
      if (mail != null) {
        requests.remove(id);
        skip = 0;
        awaitHandled.run();
        return new Reply(id, new Buf.In(mail));
      }
      Reply piped = p.reply;
      long spent = System.nanoTime() - start;
      if (piped != null || spent > SPIN_NANOS || Thread.currentThread().isInterrupted()) {
        if (mailbox.withdraw(id)) {
          if (piped == null) {
            skip = SKIP_AFTER_MISS;
          }
          return piped;
        }
        if (!mailbox.replyComing(id)) { // never so: the word holds no one else's state; the latch then
          skip = SKIP_AFTER_MISS;
          return piped;
        }
        // the parent is putting the reply there: a moment
      }
      Ring.pause(spent);
    }
  }
}
