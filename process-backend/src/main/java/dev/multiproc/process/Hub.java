package dev.multiproc.process;

import dev.multiproc.MultiprocException;
import dev.multiproc.engine.ThreadMaker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The parent's side of queues and events: it owns them and serves the requests children send
 * through their pipes.
 *
 * <p>Requests are handled on the child's reader thread when they can complete at once (a put on
 * an unbounded queue, a get from a non-empty queue, a set event); a request that must wait gets a
 * virtual thread, so a thousand children blocked in {@code get()} cost no platform thread. A
 * {@code CANCEL} from the child interrupts that thread; whatever the outcome, the parent answers
 * every request exactly once.
 *
 * <p>Nothing is lost when a child dies: an item handed to a child stays on record until the child
 * acknowledges it, and goes back to the front of its queue if the child dies first; a child's
 * waiting requests are interrupted and whatever they took is put back.
 */
final class Hub {

  private static final Map<Long, Hub> HUBS = new ConcurrentHashMap<>();
  private static final AtomicLong BACKEND_IDS = new AtomicLong();

  final long backendId = BACKEND_IDS.incrementAndGet();
  private final Map<Long, ProcessQueue<?>> queues = new ConcurrentHashMap<>();
  private final Map<Long, ProcessEvent> events = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final ThreadMaker waiters;
  /** Locks, semaphores, barriers, pipes, values, maps and joinable queues' counts. */
  final HubSync sync = new HubSync(this);

  Hub(ThreadMaker waiters) {
    this.waiters = waiters;
    HUBS.put(backendId, this);
  }

  static HubSync sync(long backendId) {
    Hub h = HUBS.get(backendId);
    return h == null ? null : h.sync;
  }

  static ProcessQueue<?> queue(long backendId, long id) {
    Hub h = HUBS.get(backendId);
    return h == null ? null : h.queues.get(id);
  }

  static ProcessEvent event(long backendId, long id) {
    Hub h = HUBS.get(backendId);
    return h == null ? null : h.events.get(id);
  }

  <T> ProcessQueue<T> newQueue(int maxSize) {
    return newQueue(maxSize, new dev.multiproc.engine.LocalQueue<>(maxSize));
  }

  /** A queue over {@code items} (a joinable queue's, which counts its adds). */
  <T> ProcessQueue<T> newQueue(int maxSize, dev.multiproc.engine.LocalQueue<byte[]> items) {
    ProcessQueue<T> q = new ProcessQueue<>(backendId, ids.incrementAndGet(), maxSize, items);
    queues.put(q.id, q);
    return q;
  }

  ProcessEvent newEvent() {
    ProcessEvent e = new ProcessEvent(backendId, ids.incrementAndGet());
    events.put(e.id, e);
    return e;
  }

  void close() {
    HUBS.remove(backendId);
  }

  /** Throws the failure a reply carries, if it does. */
  static ChildChannel.Reply check(ChildChannel.Reply r) {
    if (r.status == Msg.R_ERROR) {
      Throwable t = Codec.readFailure(r.payload);
      if (t instanceof RuntimeException e) {
        throw e;
      }
      throw new MultiprocException("the parent could not serve the request: " + t, t);
    }
    return r;
  }

  // ------------------------------------------------------------------ per child

  /** What the hub holds for one child. */
  static final class Peer {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Long, Thread> waits = new HashMap<>();
    private final LinkedHashMap<Long, Delivery> unacked = new LinkedHashMap<>();
    private boolean dead;

    int waiting() {
      lock.lock();
      try {
        return waits.size();
      } finally {
        lock.unlock();
      }
    }
  }

  /** An item given to a child and not yet acknowledged. */
  private record Delivery(ProcessQueue<?> queue, byte[] item) {}

  /** The outcome of a request: a reply status, and what to send or record with it. */
  record Outcome(int status, byte[] value, Delivery delivery) {}

  static final Outcome TRUE = new Outcome(Msg.R_TRUE, null, null);
  static final Outcome FALSE = new Outcome(Msg.R_FALSE, null, null);
  static final Outcome CANCELLED = new Outcome(Msg.R_CANCELLED, null, null);

  @FunctionalInterface
  interface Wait {
    Outcome run() throws InterruptedException;
  }

  /**
   * Serves one hub message of a child, on its reader thread; never blocks.
   *
   * @return false if the message is not a hub message
   */
  boolean handle(Child child, int type, long id, Buf.In m) {
    switch (type) {
      case Msg.QUEUE_PUT -> {
        ProcessQueue<?> q = queues.get(m.readVarLong());
        if (q != null) {
          q.items.tryPut(rest(m));
        }
      }
      case Msg.QUEUE_OP -> queueOp(child, id, m);
      case Msg.EVENT_SET -> event(m.readVarLong()).event.set();
      case Msg.EVENT_CLEAR -> event(m.readVarLong()).event.clear();
      case Msg.EVENT_OP -> eventOp(child, id, m);
      case Msg.SYNC_OP -> sync.handle(child, id, m);
      case Msg.CANCEL -> {
        Thread t;
        child.peer.lock.lock();
        try {
          t = child.peer.waits.get(id);
        } finally {
          child.peer.lock.unlock();
        }
        if (t != null) {
          t.interrupt();
        }
      }
      case Msg.ACK -> {
        child.peer.lock.lock();
        try {
          child.peer.unacked.remove(id);
        } finally {
          child.peer.lock.unlock();
        }
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  private ProcessEvent event(long id) {
    ProcessEvent e = events.get(id);
    if (e == null) {
      throw new IllegalStateException("no event #" + id);
    }
    return e;
  }

  private static byte[] rest(Buf.In m) {
    return Arrays.copyOfRange(m.bytes, m.pos, m.end);
  }

  private void queueOp(Child child, long req, Buf.In m) {
    int op = m.readByte();
    ProcessQueue<?> q = queues.get(m.readVarLong());
    long wait = m.readVarLong();
    long nanos = wait - 1;
    if (q == null) {
      reply(child, req, error(new IllegalStateException("the queue no longer exists: its backend was closed")));
      return;
    }
    switch (op) {
      case Msg.OP_PUT -> {
        byte[] item = rest(m);
        if (q.items.tryPut(item)) {
          reply(child, req, TRUE);
        } else if (wait == 1) {
          reply(child, req, FALSE);
        } else if (wait == Msg.WAIT_FOREVER) {
          background(child, req, () -> {
            q.items.put(item);
            return TRUE;
          });
        } else {
          background(child, req, () -> q.items.put(item, java.time.Duration.ofNanos(nanos)) ? TRUE : FALSE);
        }
      }
      case Msg.OP_GET -> {
        var item = q.items.tryGet();
        if (item.isPresent()) {
          Outcome o = new Outcome(Msg.R_VALUE, item.get(), new Delivery(q, item.get()));
          if (record(child, req, o)) {
            reply(child, req, o);
          }
        } else if (wait == 1) {
          reply(child, req, FALSE);
        } else if (wait == Msg.WAIT_FOREVER) {
          background(child, req, () -> {
            byte[] b = q.items.get();
            return new Outcome(Msg.R_VALUE, b, new Delivery(q, b));
          });
        } else {
          background(child, req, () -> q.items.get(java.time.Duration.ofNanos(nanos))
              .map(b -> new Outcome(Msg.R_VALUE, b, new Delivery(q, b))).orElse(FALSE));
        }
      }
      case Msg.OP_SIZE -> reply(child, req, new Outcome(Msg.R_VALUE, new Buf(8).writeVarLong(q.size()).toByteArray(), null));
      default -> reply(child, req, error(new IllegalStateException("unknown queue op " + op)));
    }
  }

  private void eventOp(Child child, long req, Buf.In m) {
    int op = m.readByte();
    ProcessEvent e = events.get(m.readVarLong());
    long wait = m.readVarLong();
    if (e == null) {
      reply(child, req, error(new IllegalStateException("the event no longer exists: its backend was closed")));
      return;
    }
    if (op == Msg.OP_IS_SET || e.isSet() || wait == 1) {
      reply(child, req, e.isSet() ? TRUE : FALSE);
    } else if (wait == Msg.WAIT_FOREVER) {
      background(child, req, () -> {
        e.await();
        return TRUE;
      });
    } else {
      background(child, req, () -> e.await(java.time.Duration.ofNanos(wait - 1)) ? TRUE : FALSE);
    }
  }

  static Outcome error(Throwable t) {
    return new Outcome(Msg.R_ERROR, Codec.encodeFailure(t), null);
  }

  /** Runs a waiting request on a virtual thread that a CANCEL or the child's death interrupts. */
  void background(Child child, long req, Wait body) {
    Peer p = child.peer;
    Thread t = waiters.newThread("multiproc-hub-wait", true, () -> {
      Outcome o;
      try {
        o = body.run();
      } catch (InterruptedException e) {
        o = CANCELLED;
      }
      p.lock.lock();
      try {
        p.waits.remove(req);
      } finally {
        p.lock.unlock();
      }
      if (record(child, req, o)) {
        reply(child, req, o);
      }
    });
    p.lock.lock();
    try {
      if (p.dead) {
        return;
      }
      p.waits.put(req, t);
    } finally {
      p.lock.unlock();
    }
    t.start();
  }

  /** Records a delivery until acknowledged; returns false (and puts the item back) if the child is dead. */
  private static boolean record(Child child, long req, Outcome o) {
    Peer p = child.peer;
    p.lock.lock();
    try {
      if (!p.dead) {
        if (o.delivery() != null) {
          p.unacked.put(req, o.delivery());
        }
        return true;
      }
    } finally {
      p.lock.unlock();
    }
    if (o.delivery() != null) {
      o.delivery().queue().items.putBack(o.delivery().item());
    }
    return false;
  }

  static void reply(Child child, long req, Outcome o) {
    Buf b = new Buf(8 + (o.value() == null ? 0 : o.value().length));
    b.writeByte(o.status());
    if (o.value() != null) {
      b.writeBytes(o.value(), 0, o.value().length);
    }
    child.trySend(Msg.REPLY, req, b);
  }

  /** The child is gone: stop its waits and put back what it was given but did not acknowledge. */
  void childDied(Child child) {
    Peer p = child.peer;
    List<Thread> waiting;
    List<Delivery> given;
    p.lock.lock();
    try {
      p.dead = true;
      waiting = new ArrayList<>(p.waits.values());
      given = new ArrayList<>(p.unacked.values());
      p.waits.clear();
      p.unacked.clear();
    } finally {
      p.lock.unlock();
    }
    for (Thread t : waiting) {
      t.interrupt();
    }
    for (int i = given.size() - 1; i >= 0; i--) {
      given.get(i).queue().items.putBack(given.get(i).item());
    }
    sync.childDied(child);
  }
}
