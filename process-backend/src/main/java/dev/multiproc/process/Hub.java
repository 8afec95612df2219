package dev.multiproc.process;

import dev.multiproc.MultiprocException;
import dev.multiproc.engine.LocalConnection;
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
 * an unbounded queue, a get from a non-empty queue, a set event). A {@code get()} with no time
 * limit on an empty queue registers a {@link Waiter} on the queue: the put that brings an item
 * takes it for the child and writes the reply from its own thread (no thread hand-off in the
 * parent). Any other request that must wait gets a virtual thread, so a thousand children blocked
 * cost no platform thread. A {@code CANCEL} from the child unregisters the waiter or interrupts
 * that thread; whatever the outcome, the parent answers every request exactly once.
 *
 * <p><b>Credits</b> make a child's puts on a bounded queue one-way, as on an unbounded one: the
 * answer to a put that asked comes with up to {@link #window} slots reserved for the child
 * ({@link Msg#CREDIT}, {@link LocalQueue#reserve}); the child spends one per put
 * ({@link Msg#QUEUE_PUT_CREDITED}) and asks again when it has none. Reserved slots count against
 * the capacity, not the size. A put (here or of another child) that finds the queue full while
 * children hold credits asks them back ({@link Msg#RECLAIM}; the child answers
 * {@link Msg#CREDIT_BACK} with what it had not spent), and no credits are granted while a put
 * waits; a dead child's unspent credits come back once its last put is read.
 *
 * <p><b>Lending</b> makes a child that drains a queue take most items without asking: the answer
 * to its get carries up to {@link #LEND_MAX} more items ({@link Msg#LEND}, {@link LocalQueue#lend}),
 * which its later gets take in order, each acknowledged as it is taken. Items are lent to one child
 * at a time, and while any are out nobody else takes: another consumer (a thread here, or another
 * child) has them recalled ({@link Msg#RECALL}; the child answers {@link Msg#GIVE_BACK} with those it
 * had not taken, which go back to the head) and takes the oldest, and may be lent to in turn. So
 * every take is of the oldest item, and every consumer takes each producer's items in order;
 * several children draining one queue pass the lent items between them, a round trip each time.
 * Only a child that took its last items quickly is lent more ({@link #LEND_BELOW_NANOS}): one that
 * works long on each gains little, and would keep the others waiting for a recall.
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
  private final Map<Long, LocalQueue<Object>> queues = new ConcurrentHashMap<>();
  private final Map<Long, LocalEvent> events = new ConcurrentHashMap<>();
  /** The queues that are pipe ends' inboxes ({@link HubSync#newPipe}), with their end. */
  private final Map<Long, LocalConnection<?>> pipeInboxes = new ConcurrentHashMap<>();
  private final ReentrantLock holdersLock = new ReentrantLock();
  private final Map<Long, Holders> holders = new HashMap<>(); // guarded by holdersLock
  private final Set<HandleRef> handles = new HashSet<>(); // guarded by holdersLock; keeps the refs reachable
  private final ReferenceQueue<Object> cleared = new ReferenceQueue<>();
  private final AtomicLong ids = new AtomicLong();
  /** How many event requests children made ({@link Msg#EVENT_OP}), for tests. */
  final java.util.concurrent.atomic.LongAdder eventRequests = new java.util.concurrent.atomic.LongAdder();
  /** The children holding credits of each bounded queue (a child is removed when it holds none). */
  private final Map<Long, Set<Child>> creditHolders = new ConcurrentHashMap<>();
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

  /**
   * The slot of the copy of event {@code id}'s flag in shared memory, made when the event is first
   * sent to a child (so an event only the parent uses costs no shared memory), kept up to date by
   * the event from then on.
   *
   * @return the slot, or null if there is none (no room, no shared memory, or the event is gone)
   */
  static HubSync.Slot eventMirror(long backendId, long id) {
    Hub h = HUBS.get(backendId);
    return h == null ? null : h.sync.eventMirror(id, h.events.get(id));
  }

  /**
   * A handle of object {@code id} that is the same in the parent and in a child (a shared-memory
   * Value or Lock) is being written: if it goes inside a queue item, its object is kept for good,
   * told to the parent from a child.
   */
  static void pinInQueueItem(long backendId, long id) {
    if (Codec.inQueueItem()) {
      ChildChannel channel = ChildChannel.current;
      if (channel != null) {
        channel.refs().pin(id);
      } else {
        pin(backendId, id);
      }
    }
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
  <T> ProcessQueue<T> newQueue(LocalQueue<Object> items) {
    long id = ids.incrementAndGet();
    items.reclaimer(() -> reclaim(id));
    items.lender((lessee, back) -> recall((Child) lessee, id, back));
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

  /**
   * Queue {@code qid} is {@code end}'s inbox: a child receives from the end with this queue's gets
   * (so it is lent items as a queue's consumer is), and a get that finds the end-of-file marker
   * puts it back and throws what the end's receive would.
   */
  void pipeInbox(long qid, LocalConnection<?> end) {
    pipeInboxes.put(qid, end);
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
      LocalQueue<Object> items = queues.get(id);
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
      pipeInboxes.remove(id);
      events.remove(id);
      creditHolders.remove(id);
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
    /** Waiting requests: the virtual thread serving one, or a {@link Waiter} registered on a queue. */
    private final Map<Long, Object> waits = new HashMap<>();
    /** Credits the child holds, by queue: slots reserved for it, neither spent nor given back. */
    private final Map<Long, Integer> credits = new HashMap<>();
    /** Queues whose credits were asked back (a RECLAIM is out). */
    private final Set<Long> reclaiming = new HashSet<>();
    private final LinkedHashMap<Long, Delivery> unacked = new LinkedHashMap<>();
    /** Queues with a RECALL out to the child, by kind: give back, or only report. */
    private final Set<Long> recalling = new HashSet<>();
    private final Set<Long> reporting = new HashSet<>();
    /** By queue: when this child was last answered items, and how many ({@link #quick}). */
    private final Map<Long, long[]> paces = new HashMap<>();
    /** Delivery ids of lent items: apart from request ids, which the child counts up from 1. */
    private long lendIds = LEND_IDS;
    private boolean dead;
    /** The queues and events the child holds proxies of; guarded by the hub's holdersLock. */
    private final Set<Long> holding = new HashSet<>();

    /**
     * Whether the child took the items of its last answer on queue {@code qid} quickly enough to
     * be lent more: under {@link #LEND_BELOW_NANOS} an item, counted from that answer to this
     * request (so yes the first time). Notes this answer as one item; {@link #lent} adds the rest.
     */
    boolean quick(long qid) {
      long now = System.nanoTime();
      lock.lock();
      try {
        long[] pace = paces.computeIfAbsent(qid, k -> new long[] {now - 1, 1});
        boolean quick = (now - pace[0]) / pace[1] < LEND_BELOW_NANOS;
        pace[0] = now;
        pace[1] = 1;
        return quick;
      } finally {
        lock.unlock();
      }
    }

    /** {@code n} more items went with the answer {@link #quick} noted. Holds lock. */
    private void lent(long qid, int n) {
      long[] pace = paces.get(qid);
      if (pace != null) {
        pace[1] += n;
      }
    }

    int waiting() {
      lock.lock();
      try {
        return waits.size();
      } finally {
        lock.unlock();
      }
    }
  }

  /** An item given to a child and not yet acknowledged; {@code lent} if lent ahead ({@link Msg#LEND}). */
  private record Delivery(LocalQueue<Object> queue, Object item, boolean lent) {
    Delivery(LocalQueue<Object> queue, Object item) {
      this(queue, item, false);
    }

    /** Back to its queue: the child will not take it. */
    void putBack() {
      if (lent) {
        queue.giveBack(List.of(item));
      } else {
        queue.putBack(item);
      }
    }
  }

  /**
   * Items are lent only to a child that took its last ones faster than this each: one that works
   * longer on an item gains little from being lent more (a round trip is tens of microseconds),
   * and while it works on them another consumer would wait for their recall.
   */
  static final long LEND_BELOW_NANOS = 50_000;

  /** How many items one get may bring a child besides its own, at most. */
  static final int LEND_MAX = 64;
  /** How many bytes of items one get may bring a child besides its own, at most. */
  static final long LEND_BYTES = 64 << 10;
  private static final long LEND_IDS = 1L << 62;

  /**
   * The outcome of a request: a reply status, and what to send or record with it.
   *
   * @param value null, the bytes to send, or a queue item as the hub keeps it ({@link QueueItem})
   */
  record Outcome(int status, Object value, Delivery delivery) {}

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
      case Msg.QUEUE_PUT, Msg.QUEUE_PUT_CREDITED -> put(child, type, m.readVarLong(), QueueItem.of(m));
      case Msg.QUEUE_OP -> queueOp(child, id, m);
      case Msg.CREDIT_BACK -> creditBack(child, id, (int) m.readVarLong());
      case Msg.EVENT_SET -> event(m.readVarLong()).set();
      case Msg.EVENT_CLEAR -> event(m.readVarLong()).clear();
      case Msg.EVENT_OP -> eventOp(child, id, m);
      case Msg.SYNC_OP -> sync.handle(child, id, m);
      case Msg.TASK_DONE -> sync.taskDone(child, id);
      case Msg.PIPE_SEND -> sync.pipeSend(child, id, m);
      case Msg.LOCK_RELEASE -> sync.lockReleased(id, m.readLong());
      case Msg.SEMAPHORE_RELEASE -> sync.semaphoreReleased(child, id, m.readByte());
      case Msg.CANCEL -> {
        Object w;
        child.peer.lock.lock();
        try {
          w = child.peer.waits.get(id);
        } finally {
          child.peer.lock.unlock();
        }
        if (w instanceof Thread t) {
          t.interrupt();
        } else if (w instanceof Waiter waiter && waiter.queue.cancel(waiter)) {
          child.peer.lock.lock();
          try {
            child.peer.waits.remove(id);
          } finally {
            child.peer.lock.unlock();
          }
          reply(child, id, CANCELLED);
        } // else served already: its reply is on its way
      }
      case Msg.REF -> ref(child, id, m.readByte());
      case Msg.ACK -> {
        Delivery d;
        child.peer.lock.lock();
        try {
          d = child.peer.unacked.remove(id);
        } finally {
          child.peer.lock.unlock();
        }
        if (d != null && d.lent()) {
          d.queue().received(1);
        }
      }
      case Msg.GIVE_BACK -> givenBack(child, id, m);
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

  private void queueOp(Child child, long req, Buf.In m) {
    int op = m.readByte();
    long qid = m.readVarLong();
    LocalQueue<Object> q = queues.get(qid);
    long wait = m.readVarLong();
    long nanos = wait - 1;
    if (q == null) {
      reply(child, req, error(new IllegalStateException(
          "the queue no longer exists: its backend was closed, or no handle to it was left")));
      return;
    }
    switch (op) {
      case Msg.OP_PUT -> {
        Object item = QueueItem.of(m);
        if (q.offer(item)) {
          grant(child, qid, q);
          reply(child, req, TRUE);
        } else if (wait == 1 && q.reserved() == 0) {
          reply(child, req, FALSE);
        } else if (wait == 1) { // only reserved slots fill it: tryPut has them given back, a moment
          background(child, req, () -> granted(child, qid, q, q.tryPut(item)));
        } else if (wait == Msg.WAIT_FOREVER) {
          background(child, req, () -> {
            q.put(item);
            return granted(child, qid, q, true);
          });
        } else {
          background(child, req, () -> granted(child, qid, q, q.put(item, java.time.Duration.ofNanos(nanos))));
        }
      }
      case Msg.OP_GET -> {
        LocalConnection<?> end = pipeInboxes.get(qid);
        if (end != null) {
          sync.used(child, end);
        }
        Object item = q.takeNow(child);
        if (item != null) {
          Outcome o = delivered(qid, q, item);
          if (o.delivery() == null) {
            reply(child, req, o);
          } else if (record(child, req, o)) {
            Buf lent = child.peer.quick(qid) ? lend(child, qid, q) : null;
            if (lent == null) {
              reply(child, req, o);
            } else {
              child.trySend(Msg.LEND, qid, lent, Msg.REPLY, req, replyPayload(o));
            }
          }
        } else if (wait == 1 && q.lent() == 0 && q.size() == 0) {
          reply(child, req, FALSE);
        } else if (wait == 1) { // held back by lent items being recalled: a moment, as LocalQueue.tryGet waits
          background(child, req, () -> q.get(child, LocalQueue.RECLAIM_NANOS).map(b -> delivered(qid, q, b)).orElse(FALSE));
        } else if (wait == Msg.WAIT_FOREVER) {
          waitFor(child, req, qid, q);
        } else {
          background(child, req, () -> q.get(child, nanos).map(b -> delivered(qid, q, b)).orElse(FALSE));
        }
      }
      case Msg.OP_SIZE -> reply(child, req, new Outcome(Msg.R_VALUE, new Buf(8).writeVarLong(q.size()).toByteArray(), null));
      default -> reply(child, req, error(new IllegalStateException("unknown queue op " + op)));
    }
  }

  // ------------------------------------------------------------------ credits (bounded queues)

  /**
   * How many slots of a bounded queue a producing child may hold reserved: a quarter of the
   * capacity, at most 1,024; none below a capacity of 4, where every put asks.
   */
  static int window(int capacity) {
    return capacity == Integer.MAX_VALUE || capacity < 4 ? 0 : Math.min(capacity / 4, 1024);
  }

  /** After a put request of the child added its item: tops its credits for the queue up to the window. */
  private void grant(Child child, long qid, LocalQueue<Object> q) {
    int window = window(q.capacity());
    if (window == 0) {
      return;
    }
    Peer p = child.peer;
    int n;
    p.lock.lock();
    try {
      int have = p.credits.getOrDefault(qid, 0);
      if (p.dead || have >= window / 2 || p.reclaiming.contains(qid)) {
        return;
      }
      n = q.reserve(window - have);
      if (n == 0) {
        return;
      }
      p.credits.put(qid, have + n);
      creditHolders.computeIfAbsent(qid, k -> ConcurrentHashMap.newKeySet()).add(child);
    } finally {
      p.lock.unlock();
    }
    // before the reply: the child's reader adds the credits before its put returns
    child.trySend(Msg.CREDIT, qid, new Buf(8).writeVarLong(n));
  }

  private Outcome granted(Child child, long qid, LocalQueue<Object> q, boolean added) {
    if (!added) {
      return FALSE;
    }
    grant(child, qid, q);
    return TRUE;
  }

  /**
   * A one-way put of a child ({@link Msg#QUEUE_PUT} on an unbounded queue, or
   * {@link Msg#QUEUE_PUT_CREDITED}); {@code item} is kept as it is. Reader thread.
   */
  void put(Child child, int type, long qid, Object item) {
    LocalQueue<Object> q = queues.get(qid);
    if (type == Msg.QUEUE_PUT) {
      if (q != null) {
        q.offer(item);
      }
      return;
    }
    Peer p = child.peer;
    p.lock.lock();
    try {
      Integer have = p.credits.get(qid);
      if (have == null || have <= 0) {
        throw new IllegalStateException("a credited put on queue #" + qid + " without a credit");
      }
      if (have == 1) {
        p.credits.remove(qid);
        if (!p.reclaiming.contains(qid)) {
          holderGone(child, qid);
        }
      } else {
        p.credits.put(qid, have - 1);
      }
    } finally {
      p.lock.unlock();
    }
    if (q != null) {
      q.putReserved(item);
    }
  }

  /** The child gave back {@code n} unspent credits after a RECLAIM. Reader thread. */
  private void creditBack(Child child, long qid, int n) {
    Peer p = child.peer;
    p.lock.lock();
    try {
      p.reclaiming.remove(qid);
      int have = p.credits.getOrDefault(qid, 0) - n;
      if (have < 0) {
        throw new IllegalStateException("queue #" + qid + ": more credits given back than held");
      }
      if (have == 0) {
        p.credits.remove(qid);
        holderGone(child, qid);
      } else {
        p.credits.put(qid, have);
      }
    } finally {
      p.lock.unlock();
    }
    LocalQueue<Object> q = queues.get(qid);
    if (q != null) {
      q.unreserve(n); // also when 0: waiting puts look again, and ask again if credits went out since
    }
  }

  /** Holds the child's peer lock. */
  private void holderGone(Child child, long qid) {
    Set<Child> s = creditHolders.get(qid);
    if (s != null) {
      s.remove(child);
    }
  }

  /** A put on queue {@code qid} found it full while children hold credits: asks them back. Never blocks long. */
  private void reclaim(long qid) {
    Set<Child> s = creditHolders.get(qid);
    if (s == null) {
      return;
    }
    for (Child c : s) {
      boolean ask;
      c.peer.lock.lock();
      try {
        ask = !c.peer.dead && c.peer.credits.getOrDefault(qid, 0) > 0 && c.peer.reclaiming.add(qid);
      } finally {
        c.peer.lock.unlock();
      }
      if (ask) {
        c.trySend(Msg.RECLAIM, qid, null);
      }
    }
  }

  // ------------------------------------------------------------------ a child waiting in get()

  /** A child's {@code get()} waiting on a queue: the put that brings an item replies from its own thread. */
  private final class Waiter implements LocalQueue.Taker<Object> {
    final Child child;
    final long req;
    final long qid;
    final LocalQueue<Object> queue;

    Waiter(Child child, long req, long qid, LocalQueue<Object> queue) {
      this.child = child;
      this.req = req;
      this.qid = qid;
      this.queue = queue;
    }

    @Override
    public void take(Object item) {
      Peer p = child.peer;
      p.lock.lock();
      try {
        p.waits.remove(req);
      } finally {
        p.lock.unlock();
      }
      Outcome o = delivered(qid, queue, item);
      if (o.delivery() == null || record(child, req, o)) {
        reply(child, req, o);
      }
    }
  }

  /**
   * The answer to a get that took {@code item}: the item, delivered until acknowledged; or, if it is
   * a pipe's end-of-file marker, the marker put back and what the end's receive throws.
   */
  private Outcome delivered(long qid, LocalQueue<Object> q, Object item) {
    if (LocalConnection.isEndOfFile(item)) {
      q.putBack(item);
      LocalConnection<?> end = pipeInboxes.get(qid);
      return error(end == null ? new IllegalStateException("the pipe is gone") : end.endOfFile());
    }
    return new Outcome(Msg.R_VALUE, item, new Delivery(q, item));
  }

  /** A get with no time limit on an empty queue: registers a {@link Waiter}, or answers now if an item came meanwhile. */
  private void waitFor(Child child, long req, long qid, LocalQueue<Object> q) {
    Waiter w = new Waiter(child, req, qid, q);
    Peer p = child.peer;
    p.lock.lock();
    try {
      if (p.dead) {
        return;
      }
      p.waits.put(req, w); // before it can be served, so that a CANCEL finds it
    } finally {
      p.lock.unlock();
    }
    Object b = q.takeOrWait(child, w);
    if (b != null) {
      w.take(b);
    }
  }

  private void eventOp(Child child, long req, Buf.In m) {
    eventRequests.increment();
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
  private boolean record(Child child, long req, Outcome o) {
    Peer p = child.peer;
    p.lock.lock();
    try {
      if (!p.dead) {
        if (o.delivery() != null) {
          p.unacked.put(req, o.delivery());
          tookFrom(child, o.delivery().queue());
        }
        return true;
      }
    } finally {
      p.lock.unlock();
    }
    if (o.delivery() != null) {
      o.delivery().putBack();
    }
    return false;
  }

  static void reply(Child child, long req, Outcome o) {
    if (child.reply(req, replyPayload(o))) {
      MAILED.increment();
    }
  }

  /** How many replies went to a child's mailbox rather than down its pipe ({@link Ring#deliver}), in this JVM; for tests. */
  static final java.util.concurrent.atomic.LongAdder MAILED = new java.util.concurrent.atomic.LongAdder();

  private static Buf replyPayload(Outcome o) {
    Buf b = new Buf(8 + (o.value() == null ? 0 : QueueItem.encodedSize(o.value())));
    b.writeByte(o.status());
    if (o.value() != null) {
      QueueItem.writeTo(o.value(), b);
    }
    return b;
  }

  // ------------------------------------------------------------------ lending (a queue's one consumer)

  /**
   * Lends the child more items of the queue it just took from, if it is the queue's one consumer
   * and enough are there; records them as delivered.
   *
   * @return the {@link Msg#LEND} payload, or null if none were lent
   */
  private Buf lend(Child child, long qid, LocalQueue<Object> q) {
    List<Object> items = new ArrayList<>();
    if (q.lend(child, LEND_MAX, Hub::lendWeight, LEND_BYTES, items::add) == 0) {
      return null;
    }
    Peer p = child.peer;
    long first;
    p.lock.lock();
    try {
      if (p.dead) {
        q.giveBack(items);
        return null;
      }
      first = p.lendIds;
      for (Object item : items) {
        p.unacked.put(p.lendIds++, new Delivery(q, item, true));
      }
      p.lent(qid, items.size()); // (the answer's own item recorded the child as a taker of q)
    } finally {
      p.lock.unlock();
    }
    Buf b = new Buf(16 + items.size() * 16);
    b.writeVarLong(items.size()).writeVarLong(first);
    for (Object item : items) {
      Buf one = new Buf(QueueItem.encodedSize(item));
      QueueItem.writeTo(item, one);
      b.writeVarLong(one.size).writeBytes(one.bytes, 0, one.size);
    }
    return b;
  }

  /** An item's weight for lending: its encoded size; a pipe's end-of-file marker is never lent. */
  private static int lendWeight(Object item) {
    return LocalConnection.isEndOfFile(item) ? -1 : QueueItem.encodedSize(item);
  }

  /** The children that were given items of each queue, while alive: those a joinable queue's join asks to report ({@link #reports}). */
  private final Map<LocalQueue<Object>, Set<Child>> takers = new ConcurrentHashMap<>();

  private void tookFrom(Child child, LocalQueue<Object> q) {
    takers.computeIfAbsent(q, k -> ConcurrentHashMap.newKeySet()).add(child);
  }

  /**
   * Asks every live child that was given items of queue {@code qid} to report: the messages it
   * published without waking the parent (a joinable queue's {@code taskDone}s) are read with the
   * answer. For a joinable queue's waiting join.
   */
  void reports(long qid) {
    LocalQueue<Object> q = queues.get(qid);
    Set<Child> s = q == null ? null : takers.get(q);
    if (s != null) {
      for (Child c : s) {
        recall(c, qid, false);
      }
    }
  }

  /** Asks the child to answer for the items of queue {@code qid} lent to it, once per kind at a time. */
  private void recall(Child child, long qid, boolean back) {
    Peer p = child.peer;
    p.lock.lock();
    try {
      if (p.dead || !(back ? p.recalling : p.reporting).add(qid)) {
        return;
      }
    } finally {
      p.lock.unlock();
    }
    child.trySend(Msg.RECALL, qid, new Buf(1).writeByte(back ? 1 : 0));
  }

  /** The child answered a RECALL: its acknowledgements came before; what it gives back goes back to the head. */
  private void givenBack(Child child, long qid, Buf.In m) {
    int n = (int) m.readVarLong();
    List<Object> items = new ArrayList<>(n);
    LocalQueue<Object> q = queues.get(qid);
    Peer p = child.peer;
    p.lock.lock();
    try {
      p.recalling.remove(qid);
      p.reporting.remove(qid);
      for (int i = 0; i < n; i++) {
        Delivery d = p.unacked.remove(m.readVarLong());
        if (d != null) {
          items.add(d.item());
          q = d.queue();
        }
      }
    } finally {
      p.lock.unlock();
    }
    if (q != null) {
      q.giveBack(items);
    }
  }

  /** The child is gone: stop its waits and put back what it was given but did not acknowledge. */
  void childDied(Child child) {
    Peer p = child.peer;
    List<Object> waiting;
    List<Delivery> given;
    Map<Long, Integer> credits;
    p.lock.lock();
    try {
      p.dead = true;
      waiting = new ArrayList<>(p.waits.values());
      given = new ArrayList<>(p.unacked.values());
      credits = new HashMap<>(p.credits);
      p.waits.clear();
      p.unacked.clear();
      p.credits.clear();
      p.reclaiming.clear();
      p.recalling.clear();
      p.reporting.clear();
    } finally {
      p.lock.unlock();
    }
    for (Object w : waiting) {
      if (w instanceof Thread t) {
        t.interrupt();
      } else {
        Waiter waiter = (Waiter) w;
        waiter.queue.cancel(waiter); // if it was served meanwhile, record() sees the death and puts the item back
      }
    }
    // unspent credits go back: the puts that spent the others are all read (the pipe is at its end)
    credits.forEach((qid, n) -> {
      Set<Child> s = creditHolders.get(qid);
      if (s != null) {
        s.remove(child);
      }
      LocalQueue<Object> q = queues.get(qid);
      if (q != null) {
        q.unreserve(n);
      }
    });
    for (int i = given.size() - 1; i >= 0; i--) {
      given.get(i).putBack();
    }
    takers.values().forEach(s -> s.remove(child));
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
