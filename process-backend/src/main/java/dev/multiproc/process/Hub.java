package dev.multiproc.process;

import dev.multiproc.MultiprocException;
import dev.multiproc.engine.LocalEvent;
import dev.multiproc.engine.LocalQueue;
import dev.multiproc.engine.ThreadMaker;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 *
 * <p>A queue or event stays here while something may still use it, and no longer: while a handle
 * to it in this JVM is reachable, while a live child holds a proxy of it (the child says so with
 * {@link Msg#REF}: see {@link ProxyRefs}), and for good once a handle to it went inside a queue
 * item (a handle in that serialized form cannot be followed). A handle sent to a child in a task,
 * a function, an item or an initializer stays reachable here until the child has read it (a pool
 * keeps the originals of the units it runs, a Worker its task), and the child attaches its proxy
 * before it answers; so an item a live child may still {@code get} is never dropped. Handles the
 * collector cleared are counted off whenever the hub makes a queue or event, reads a handle back,
 * or hears of a child's proxies or death: the hub has no thread of its own. The toolbox objects of
 * {@link HubSync} (locks, pipes, values...) are kept the same way ({@link #keep}, {@link #kept}).
 */
final class Hub {

  private static final Map<Long, Hub> HUBS = new ConcurrentHashMap<>();
  private static final AtomicLong BACKEND_IDS = new AtomicLong();

  final long backendId = BACKEND_IDS.incrementAndGet();
  private final Map<Long, LocalQueue<byte[]>> queues = new ConcurrentHashMap<>();
  private final Map<Long, LocalEvent> events = new ConcurrentHashMap<>();
  private final ReentrantLock holdersLock = new ReentrantLock();
  private final Map<Long, Holders> holders = new HashMap<>(); // guarded by holdersLock
  private final Set<HandleRef> handles = new HashSet<>(); // guarded by holdersLock; keeps the refs reachable
  private final ReferenceQueue<Object> cleared = new ReferenceQueue<>();
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

  /** A handle on queue {@code id} of a backend in this JVM (the one still in use, if any), or null if it is gone. */
  static ProcessQueue<?> queue(long backendId, long id) {
    Hub h = HUBS.get(backendId);
    return h == null ? null : (ProcessQueue<?>) h.handle(id, true);
  }

  /** A handle on event {@code id} of a backend in this JVM, or null if it is gone. */
  static ProcessEvent event(long backendId, long id) {
    Hub h = HUBS.get(backendId);
    return h == null ? null : (ProcessEvent) h.handle(id, false);
  }

  /** A handle on queue or event {@code id} went inside a queue item in this JVM: keep it for good. */
  static void pin(long backendId, long id) {
    Hub h = HUBS.get(backendId);
    if (h != null) {
      h.holdersLock.lock();
      try {
        Holders x = h.holders.get(id);
        if (x != null) {
          x.pinned = true;
        }
      } finally {
        h.holdersLock.unlock();
      }
    }
  }

  <T> ProcessQueue<T> newQueue(int maxSize) {
    return newQueue(new LocalQueue<>(maxSize));
  }

  /** A queue over {@code items} (a joinable queue's, which counts its adds). */
  <T> ProcessQueue<T> newQueue(LocalQueue<byte[]> items) {
    long id = ids.incrementAndGet();
    ProcessQueue<T> q = new ProcessQueue<>(backendId, id, items);
    holdersLock.lock();
    try {
      expunge();
      queues.put(id, items);
      holders.put(id, new Holders());
      track(q, id);
    } finally {
      holdersLock.unlock();
    }
    return q;
  }

  ProcessEvent newEvent() {
    long id = ids.incrementAndGet();
    LocalEvent event = new LocalEvent();
    ProcessEvent e = new ProcessEvent(backendId, id, event);
    holdersLock.lock();
    try {
      expunge();
      events.put(id, event);
      holders.put(id, new Holders());
      track(e, id);
    } finally {
      holdersLock.unlock();
    }
    return e;
  }

  /** @return a new id for a toolbox object of {@link HubSync} (one id space with queues and events, for {@link Msg#REF}) */
  long newId() {
    return ids.incrementAndGet();
  }

  /**
   * Keeps toolbox object {@code id} of {@link HubSync} as a queue or event is kept: while
   * {@code handle} or another handle of it here is reachable, while a live child holds a proxy, or
   * for good once a handle went inside a queue item; once nothing does, {@link HubSync#forget}.
   */
  void keep(long id, Object handle) {
    holdersLock.lock();
    try {
      expunge();
      holders.put(id, new Holders());
      track(handle, id);
    } finally {
      holdersLock.unlock();
    }
  }

  /**
   * The handle in use on toolbox object {@code id}, or a new one from {@code make} (which returns
   * null if the object is gone).
   *
   * @return it, or null if the object is gone
   */
  Object kept(long id, java.util.function.Supplier<Object> make) {
    holdersLock.lock();
    try {
      expunge();
      Holders x = holders.get(id);
      if (x == null) {
        return null;
      }
      Object h = x.newest == null ? null : x.newest.get();
      if (h == null) {
        h = make.get();
        if (h != null) {
          track(h, id);
        }
      }
      return h;
    } finally {
      holdersLock.unlock();
    }
  }

  // ------------------------------------------------------------------ what keeps a queue or event

  /** What keeps one queue or event here. Guarded by holdersLock. */
  private static final class Holders {
    /** Handles in this JVM the collector has not cleared (or the hub not yet counted off). */
    int handles;
    /** Live children that hold a proxy. */
    int children;
    /** A handle went inside a queue item: kept until the backend closes. */
    boolean pinned;
    /** The newest handle, so that a handle read back here is the one in use, if there is one. */
    HandleRef newest;
  }

  /** A handle in this JVM, counted off once the collector cleared it. */
  private static final class HandleRef extends WeakReference<Object> {
    final long id;

    HandleRef(Object handle, long id, ReferenceQueue<Object> queue) {
      super(handle, queue);
      this.id = id;
    }
  }

  /** Counts a new handle. Holds holdersLock. */
  private void track(Object handle, long id) {
    Holders x = holders.get(id);
    x.handles++;
    x.newest = new HandleRef(handle, id, cleared);
    handles.add(x.newest);
  }

  /** The handle in use on queue or event {@code id}, or a new one; null if it is gone. */
  private Object handle(long id, boolean queue) {
    holdersLock.lock();
    try {
      expunge();
      Holders x = holders.get(id);
      LocalQueue<byte[]> items = queues.get(id);
      LocalEvent event = events.get(id);
      if (x == null || (queue ? items == null : event == null)) {
        return null;
      }
      Object h = x.newest == null ? null : x.newest.get();
      if (h == null) {
        h = queue ? new ProcessQueue<>(backendId, id, items) : new ProcessEvent(backendId, id, event);
        track(h, id);
      }
      return h;
    } finally {
      holdersLock.unlock();
    }
  }

  /** Counts off the handles the collector cleared, and lets go of what nothing holds any more. Holds holdersLock. */
  private void expunge() {
    for (Reference<?> r = cleared.poll(); r != null; r = cleared.poll()) {
      HandleRef ref = (HandleRef) r;
      handles.remove(ref);
      Holders x = holders.get(ref.id);
      if (x != null) {
        x.handles--;
        if (x.newest == ref) {
          x.newest = null;
        }
        releaseIfUnheld(ref.id, x);
      }
    }
  }

  /** Holds holdersLock. */
  private void releaseIfUnheld(long id, Holders x) {
    if (x.handles == 0 && x.children == 0 && !x.pinned) {
      holders.remove(id);
      queues.remove(id);
      events.remove(id);
      sync.forget(id);
    }
  }

  /** A child's {@link Msg#REF}: it holds a proxy of queue or event {@code id} now, or no more, or put one in a queue item. */
  private void ref(Child child, long id, int op) {
    holdersLock.lock();
    try {
      expunge();
      Holders x = holders.get(id);
      if (x == null) {
        return; // gone already: the child's requests on it say so
      }
      switch (op) {
        case Msg.REF_ATTACH -> {
          if (child.peer.holding.add(id)) {
            x.children++;
          }
        }
        case Msg.REF_DETACH -> {
          if (child.peer.holding.remove(id)) {
            x.children--;
            releaseIfUnheld(id, x);
          }
        }
        case Msg.REF_PIN -> x.pinned = true;
        default -> throw new IllegalStateException("unknown ref op " + op);
      }
    } finally {
      holdersLock.unlock();
    }
  }

  /** How many queues and events the hub holds (for tests); counts off cleared handles first. */
  int held() {
    holdersLock.lock();
    try {
      expunge();
      return holders.size();
    } finally {
      holdersLock.unlock();
    }
  }

  void close() {
    HUBS.remove(backendId);
    sync.close();
  }

  /** Throws the failure a reply carries, if it does. */
  static ParentCalls.Reply check(ParentCalls.Reply r) {
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
    /** The queues and events the child holds proxies of; guarded by the hub's holdersLock. */
    private final Set<Long> holding = new HashSet<>();

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
  private record Delivery(LocalQueue<byte[]> queue, byte[] item) {}

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
        LocalQueue<byte[]> q = queues.get(m.readVarLong());
        if (q != null) {
          q.tryPut(rest(m));
        }
      }
      case Msg.QUEUE_OP -> queueOp(child, id, m);
      case Msg.EVENT_SET -> event(m.readVarLong()).set();
      case Msg.EVENT_CLEAR -> event(m.readVarLong()).clear();
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
      case Msg.REF -> ref(child, id, m.readByte());
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

  private LocalEvent event(long id) {
    LocalEvent e = events.get(id);
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
    LocalQueue<byte[]> q = queues.get(m.readVarLong());
    long wait = m.readVarLong();
    long nanos = wait - 1;
    if (q == null) {
      reply(child, req, error(new IllegalStateException(
          "the queue no longer exists: its backend was closed, or no handle to it was left")));
      return;
    }
    switch (op) {
      case Msg.OP_PUT -> {
        byte[] item = rest(m);
        if (q.tryPut(item)) {
          reply(child, req, TRUE);
        } else if (wait == 1) {
          reply(child, req, FALSE);
        } else if (wait == Msg.WAIT_FOREVER) {
          background(child, req, () -> {
            q.put(item);
            return TRUE;
          });
        } else {
          background(child, req, () -> q.put(item, java.time.Duration.ofNanos(nanos)) ? TRUE : FALSE);
        }
      }
      case Msg.OP_GET -> {
        var item = q.tryGet();
        if (item.isPresent()) {
          Outcome o = new Outcome(Msg.R_VALUE, item.get(), new Delivery(q, item.get()));
          if (record(child, req, o)) {
            reply(child, req, o);
          }
        } else if (wait == 1) {
          reply(child, req, FALSE);
        } else if (wait == Msg.WAIT_FOREVER) {
          background(child, req, () -> {
            byte[] b = q.get();
            return new Outcome(Msg.R_VALUE, b, new Delivery(q, b));
          });
        } else {
          background(child, req, () -> q.get(java.time.Duration.ofNanos(nanos))
              .map(b -> new Outcome(Msg.R_VALUE, b, new Delivery(q, b))).orElse(FALSE));
        }
      }
      case Msg.OP_SIZE -> reply(child, req, new Outcome(Msg.R_VALUE, new Buf(8).writeVarLong(q.size()).toByteArray(), null));
      default -> reply(child, req, error(new IllegalStateException("unknown queue op " + op)));
    }
  }

  private void eventOp(Child child, long req, Buf.In m) {
    int op = m.readByte();
    LocalEvent e = events.get(m.readVarLong());
    long wait = m.readVarLong();
    if (e == null) {
      reply(child, req, error(new IllegalStateException(
          "the event no longer exists: its backend was closed, or no handle to it was left")));
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
      o.delivery().queue().putBack(o.delivery().item());
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
      given.get(i).queue().putBack(given.get(i).item());
    }
    holdersLock.lock();
    try {
      for (long id : p.holding) {
        Holders x = holders.get(id);
        if (x != null) {
          x.children--;
          releaseIfUnheld(id, x);
        }
      }
      p.holding.clear();
      expunge();
    } finally {
      holdersLock.unlock();
    }
    sync.childDied(child);
  }
}
