package dev.multiproc.process;

import dev.multiproc.Lock;
import dev.multiproc.Pipe;
import dev.multiproc.Semaphore;
import dev.multiproc.Value;
import dev.multiproc.engine.LocalBarrier;
import dev.multiproc.engine.LocalConnection;
import dev.multiproc.engine.LocalEvent;
import dev.multiproc.engine.LocalJoinableQueue;
import dev.multiproc.engine.LocalLock;
import dev.multiproc.engine.LocalQueue;
import dev.multiproc.engine.LocalRLock;
import dev.multiproc.engine.LocalSemaphore;
import dev.multiproc.engine.LocalSharedMap;
import dev.multiproc.engine.LocalValue;
import dev.multiproc.engine.Waits;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The parent's side of locks, semaphores, barriers, joinable queues' counts, pipes, values and
 * shared maps: it owns them (the engine's {@code Local*} types, items and values encoded) and
 * serves the {@link Msg#SYNC_OP} requests that children's proxies ({@link ChildSync}) send.
 *
 * <p>As for queues in the {@link Hub}: a request that can complete at once is answered on the
 * child's reader thread; one that must wait (an acquire of a held lock, a barrier, a join, a
 * receive on an empty pipe) runs on a virtual thread through {@link Hub#background}, which a
 * {@code CANCEL} or the child's death interrupts.
 *
 * <p>Owners: a Lock or Semaphore permit taken for a child is recorded against that child's
 * {@link Peer}; an RLock against a {@link ChildThread} (the child's peer and its thread id), so
 * reentrancy follows the child's thread. When a child dies ({@link #childDied}), what it held is
 * released (logged at DEBUG), the pipe ends it used are closed, and its waits were interrupted by
 * the hub, which breaks a barrier it waited at. An acquire that completes for a child already dead
 * is undone at once.
 *
 * <p>Values, Locks and RLocks live in shared memory ({@link ValueSlab}, {@link SlabValue},
 * {@link SlabLock}) when it can be had: children change them without a request; the hub hands their
 * slots out and takes them back, and keeps the acquirers of a lock that wait ({@link LockSlot}).
 * The Lock and RLock owners above are those of locks the hub serves, past the slab's 4,096 slots.
 *
 * <p>Lifetime: an object's state (here, by id) is kept by the {@link Hub} as a queue's is
 * ({@link Hub#keep}): while a handle of it in the parent is reachable (the hub holds the handles
 * only weakly; a handle read back here is the one in use, or a new one over the same state), while
 * a live child holds a proxy ({@link ProxyRefs}), and for good once a handle went inside a queue
 * item; then {@link #forget} drops it. A joinable queue's state holds its items' queue handle, so
 * that queue lives as long as the joinable queue.
 */
final class HubSync {

  // kinds
  static final int LOCK = 1;
  static final int RLOCK = 2;
  static final int SEMAPHORE = 3;
  static final int BARRIER = 4;
  static final int JOINABLE = 5;
  static final int PIPE = 6;
  static final int VALUE = 7;
  static final int MAP = 8;
  /** A {@link SlabLock}'s acquire that waits (the only request it makes). */
  static final int SLAB_LOCK = 9;
  /** A {@link SlabSemaphore}'s acquire through the hub (one that waits, or a child's that counts none itself). */
  static final int SLAB_SEMAPHORE = 10;

  // lock and semaphore ops
  static final int ACQUIRE = 1;
  static final int RELEASE = 2;
  static final int AVAILABLE = 3;
  // barrier ops
  static final int AWAIT = 1;
  static final int RESET = 2;
  static final int ABORT = 3;
  static final int IS_BROKEN = 4;
  static final int WAITING = 5;
  // joinable queue ops
  static final int TASK_DONE = 1;
  static final int JOIN = 2;
  // pipe ops (payload starts with the end: 0 left, 1 right)
  static final int SEND = 1;
  // (2, a receive, is gone: a child receives through the end's inbox queue, Hub#pipeInbox)
  static final int POLL = 3;
  static final int CLOSE = 4;
  // value ops
  static final int GET = 1;
  static final int SET = 2;
  static final int ADD_AND_GET = 3;
  static final int GET_AND_ADD = 4;
  static final int CAS = 5;
  // map ops (GET as above)
  static final int PUT = 2;
  static final int PUT_IF_ABSENT = 3;
  static final int REMOVE = 4;
  static final int CONTAINS = 5;
  static final int SIZE = 6;
  static final int CLEAR = 7;
  static final int SNAPSHOT = 8;
  static final int REPLACE = 9;

  /** What the hub holds for one child that used these types. */
  static final class Peer {
    final String name;
    final Set<LocalConnection<byte[]>> ends = ConcurrentHashMap.newKeySet();
    volatile boolean dead;

    Peer(String name) {
      this.name = name;
    }

    @Override
    public String toString() {
      return "child " + name;
    }
  }

  /** An RLock owner: one thread of one child. */
  record ChildThread(Peer peer, long threadId) {
    @Override
    public String toString() {
      return "thread " + threadId + " of " + peer;
    }
  }

  /** A joinable queue's state: its count, and the handle that keeps its items' queue in the hub. */
  record Joinable(LocalJoinableQueue<Object> local, ProcessQueue<?> queue, int maxSize) {}

  private final Hub hub;
  /** The state of each object, by id: a Local* object, a {@link Joinable}, or a pipe's two ends. */
  private final Map<Long, Object> objects = new ConcurrentHashMap<>();
  private final ReentrantLock slabLock = new ReentrantLock();
  private ValueSlab slab; // guarded by slabLock
  private boolean slabTried; // guarded by slabLock
  private boolean closed; // guarded by slabLock
  private final Map<Child, Peer> peers = new ConcurrentHashMap<>();

  /** Whether children get rings (and so can count their semaphore permits); set by the backend. */
  private volatile boolean sharedMemory = true;

  /** @param on false if children write every message to their pipe (no ring, so no semaphore counts) */
  void sharedMemory(boolean on) {
    sharedMemory = on;
  }

  HubSync(Hub hub) {
    this.hub = hub;
  }

  long backendId() {
    return hub.backendId;
  }

  // ------------------------------------------------------------------ making

  /**
   * A Lock or RLock in shared memory ({@link SlabLock}) while the slab has room and could be made,
   * else one the hub serves ({@link ProcessSync.PLock}).
   */
  Lock newLock(boolean reentrant) {
    long id = hub.newId();
    ValueSlab s = slab();
    int slot = s == null ? -1 : s.allocate(0);
    if (slot >= 0) {
      LockSlot l = new LockSlot(s, slot, reentrant);
      return register(id, l, l.handle(id));
    }
    Lock local = reentrant ? new LocalRLock() : new LocalLock();
    return register(id, local, new ProcessSync.PLock(backendId(), reentrant ? RLOCK : LOCK, id, local));
  }

  /**
   * A Semaphore in shared memory ({@link SlabSemaphore}) while the slab has room and could be made,
   * and children have rings to count their permits in; else one the hub serves ({@link ProcessSync.PSemaphore}).
   */
  Semaphore newSemaphore(int permits, boolean bounded) {
    if (permits < 0) {
      throw new IllegalArgumentException("permits must be 0 or more, got " + permits);
    }
    long id = hub.newId();
    ValueSlab s = sharedMemory ? slab() : null;
    int slot = s == null ? -1 : s.allocate(permits);
    if (slot >= 0) {
      SemaphoreSlot slotted = new SemaphoreSlot(s, slot, permits, bounded);
      return register(id, slotted, slotted.handle(id));
    }
    LocalSemaphore local = new LocalSemaphore(permits, bounded);
    return register(id, local, new ProcessSync.PSemaphore(backendId(), id, local));
  }

  ProcessSync.PBarrier newBarrier(int parties) {
    long id = hub.newId();
    LocalBarrier local = new LocalBarrier(parties);
    return register(id, local, new ProcessSync.PBarrier(backendId(), id, local));
  }

  <T> ProcessSync.PJoinableQueue<T> newJoinableQueue(int maxSize) {
    LocalJoinableQueue<Object> jq = new LocalJoinableQueue<>(maxSize);
    ProcessQueue<T> q = hub.newQueue(jq.items());
    jq.flusher(() -> hub.reports(q.id)); // children send taskDone() one-way, some without waking us
    long id = hub.newId();
    return register(id, new Joinable(jq, q, maxSize), new ProcessSync.PJoinableQueue<>(backendId(), id, jq, q, maxSize));
  }

  /**
   * A pipe whose two directions are hub queues ({@link Hub#pipeInbox}), so that a child receiving
   * on an end is lent what waits there, as a queue's consumer is. The queues' handles are kept here
   * while the pipe lives ({@link #forget}).
   */
  <T> ProcessSync.PPipe<T> newPipe() {
    LocalQueue<Object> toRight = new LocalQueue<>(0);
    LocalQueue<Object> toLeft = new LocalQueue<>(0);
    ProcessQueue<Object> rightInbox = hub.newQueue(toRight);
    ProcessQueue<Object> leftInbox = hub.newQueue(toLeft);
    long id = hub.newId();
    Pipe<byte[]> ends = LocalConnection.pipe(toRight, toLeft);
    hub.pipeInbox(leftInbox.id, (LocalConnection<byte[]>) ends.left());
    hub.pipeInbox(rightInbox.id, (LocalConnection<byte[]>) ends.right());
    pipeQueues.put(id, new ProcessQueue<?>[] {leftInbox, rightInbox});
    Runnable broken = () -> pipeBroken(id, ends);
    ((LocalConnection<byte[]>) ends.left()).onClose(broken);
    ((LocalConnection<byte[]>) ends.right()).onClose(broken);
    return register(id, ends, new ProcessSync.PPipe<>(backendId(), id, ends, leftInbox.id, rightInbox.id));
  }

  /** Each pipe's inbox queues, left end's first, by pipe id: kept while the pipe lives. */
  private final Map<Long, ProcessQueue<?>[]> pipeQueues = new ConcurrentHashMap<>();

  /** A child used a pipe end (sent or received on it): its death closes the end. */
  void used(Child child, LocalConnection<?> end) {
    @SuppressWarnings("unchecked")
    LocalConnection<byte[]> e = (LocalConnection<byte[]>) end;
    peers.computeIfAbsent(child, c -> new Peer(c.toString())).ends.add(e);
  }

  /**
   * A Value in shared memory ({@link SlabValue}) while the slab has room and could be made, else
   * one the hub serves ({@link ProcessSync.PValue}).
   */
  Value newValue(long initial) {
    long id = hub.newId();
    ValueSlab s = slab();
    int slot = s == null ? -1 : s.allocate(initial);
    if (slot >= 0) {
      return register(id, new Slot(s, slot), new SlabValue(backendId(), id, s.path, slot, s.buffer));
    }
    LocalValue local = new LocalValue(initial);
    return register(id, local, new ProcessSync.PValue(backendId(), id, local));
  }

  /** A Value's place in the slab. */
  record Slot(ValueSlab slab, int slot) {}

  /** The slots of events' shared-memory copies of their flag, by event id. */
  private final Map<Long, Slot> mirrors = new ConcurrentHashMap<>();

  /**
   * The slot for event {@code id}'s flag, which the event keeps up to date there from now on so
   * that children read it without asking ({@link ChildEvent#isSet}); freed with the event
   * ({@link #forget}).
   *
   * @param event the event, or null if it is gone
   * @return the slot, or null if the event is gone or the slab has no room or cannot be had
   */
  Slot eventMirror(long id, LocalEvent event) {
    if (event == null) {
      return null;
    }
    Slot m = mirrors.get(id);
    if (m != null) {
      return m;
    }
    slabLock.lock(); // one slot per event, however many threads send it at once
    try {
      m = mirrors.get(id);
      if (m != null) {
        return m;
      }
      ValueSlab s = slab();
      int slot = s == null ? -1 : s.allocate(0);
      if (slot < 0) {
        return null;
      }
      Slot made = new Slot(s, slot);
      event.mirror(set -> ValueSlab.set(made.slab().buffer, made.slot(), set ? 1 : 0));
      mirrors.put(id, made);
      return made;
    } finally {
      slabLock.unlock();
    }
  }


  private ValueSlab slab() {
    slabLock.lock();
    try {
      if (!slabTried && !closed) {
        slabTried = true;
        slab = ValueSlab.create();
      }
      return slab;
    } finally {
      slabLock.unlock();
    }
  }

  /** @return the parent's handle in use on shared Semaphore {@code id}, or a new one; null if it is gone */
  Object slabSemaphore(long id) {
    return hub.kept(id, () -> objects.get(id) instanceof SemaphoreSlot s ? s.handle(id) : null);
  }

  /**
   * A {@link SlabSemaphore}'s slot and the hub's side of it: the acquirers that wait, parent threads
   * and children's requests alike, handed released permits in the order they came, and the permits
   * the hub took for each child (a child counts those it took itself; see {@link SlabSemaphore}).
   */
  final class SemaphoreSlot extends HandOff<SemaphoreSlot.Waiter> implements SlabSemaphore.Side {
    final ValueSlab slab;
    final int slot;
    final int initial;
    final boolean bounded;
    private final Map<Child, Long> heldFor = new HashMap<>(); // guarded by lock: permits the hub took for each child
    /** For the word operations; never handed out, so it keeps no handle alive (see {@link Hub#keep}). */
    private final SlabSemaphore ops;

    /** An acquirer waiting here: a child's request, or a parent thread (child null). */
    static final class Waiter extends HandOff.Waiter {
      final Child child;

      Waiter(Child child) {
        this.child = child;
      }
    }

    SemaphoreSlot(ValueSlab slab, int slot, int initial, boolean bounded) {
      this.slab = slab;
      this.slot = slot;
      this.initial = initial;
      this.bounded = bounded;
      this.ops = handle(0);
    }

    SlabSemaphore handle(long id) {
      return new SlabSemaphore(backendId(), id, slab.path, slot, initial, bounded, slab.buffer, this);
    }

    @Override
    boolean grant(Waiter w) {
      if (!ops.takeOne()) {
        return false;
      }
      if (w.child != null) {
        heldFor.merge(w.child, 1L, Long::sum);
      }
      return true;
    }

    @Override
    void ungrant(Waiter w) {
      giveBack(w.child, 1);
    }

    @Override
    void addWaiting(long delta) {
      ops.addWaiting(delta);
    }

    /** @return how many permits there may be at most: the initial count if bounded */
    private long cap() {
      return bounded ? initial : Long.MAX_VALUE;
    }

    // the parent's side: it counts nothing and waits here

    @Override
    public boolean counts(SlabSemaphore s) {
      return true;
    }

    @Override
    public void took(SlabSemaphore s) {
      // the parent never dies alone: nothing to give back
    }

    @Override
    public boolean gaveBack(SlabSemaphore s) {
      return true;
    }

    @Override
    public boolean quiet() {
      return true;
    }

    @Override
    public boolean await(SlabSemaphore s, long nanos) throws InterruptedException {
      return await(new Waiter(null), nanos);
    }

    @Override
    public void release(SlabSemaphore s, boolean add, boolean own) {
      lock.lock();
      try {
        if (add && ops.add(1, cap()) == 0) {
          throw new IllegalStateException("release() of a BoundedSemaphore would raise it above its initial " + initial
              + " permit(s): it was released more times than acquired");
        }
        handOff();
      } finally {
        lock.unlock();
      }
    }

    /** Gives back {@code n} permits {@code child} (null: the parent) held that the hub counted. Under lock. */
    private void giveBack(Child child, long n) {
      if (child != null) {
        heldFor.computeIfPresent(child, (c, h) -> h <= n ? null : h - n);
      }
      ops.add(n, cap());
      handOff();
    }

    /** Serves a child's acquire through the hub ({@link #SLAB_SEMAPHORE}); one that waits, in the background. */
    Hub.Outcome acquire(Child child, long req, Peer peer, long nanos) {
      lock.lock();
      try {
        if (ops.takeOne()) {
          heldFor.merge(child, 1L, Long::sum);
          return Hub.TRUE;
        }
      } finally {
        lock.unlock();
      }
      if (!mayWait(nanos)) {
        return Hub.FALSE;
      }
      hub.background(child, req, () -> {
        boolean ok = await(new Waiter(child), nanos);
        if (ok && peer.dead) {
          lock.lock();
          try {
            giveBack(child, 1);
          } finally {
            lock.unlock();
          }
        }
        return ok ? Hub.TRUE : Hub.FALSE;
      });
      return null;
    }

    /** A child's release through the hub ({@link Msg#SEMAPHORE_RELEASE}). */
    void released(Child child, int flags) {
      boolean add = (flags & 1) != 0;
      boolean own = (flags & 2) != 0;
      lock.lock();
      try {
        if (add && !own) {
          heldFor.computeIfPresent(child, (c, h) -> h <= 1 ? null : h - 1);
        }
        if (add && ops.add(1, cap()) == 0) {
          System.err.println("multiproc: " + child + ": release() of a BoundedSemaphore would raise it above its initial "
              + initial + " permit(s); not released");
        }
        handOff();
      } finally {
        lock.unlock();
      }
    }

    /**
     * {@code child} is gone: gives back the permits it held, those it counted itself
     * ({@code ownCount}) and those the hub took for it, but never more than are taken out.
     *
     * @return how many were given back
     */
    long childDied(Child child, long ownCount) {
      lock.lock();
      try {
        Long hub = heldFor.remove(child);
        long n = Math.max(0, ownCount) + (hub == null ? 0 : hub);
        if (n == 0) {
          return 0;
        }
        long k = ops.add(n, initial); // never above the initial count: a release by a non-holder counted against it
        handOff();
        return k;
      } finally {
        lock.unlock();
      }
    }
  }

  /** A child's release of a shared-memory semaphore through the hub ({@link Msg#SEMAPHORE_RELEASE}). */
  void semaphoreReleased(Child child, long id, int flags) {
    if (objects.get(id) instanceof SemaphoreSlot s) {
      s.released(child, flags);
    }
  }

  /** @return the parent's handle in use on shared Lock {@code id}, or a new one; null if it is gone */
  Object slabLock(long id) {
    return hub.kept(id, () -> objects.get(id) instanceof LockSlot l ? l.handle(id) : null);
  }

  /**
   * A {@link SlabLock}'s slot and the hub's side of it: the parent's {@link SlabLock.State}, and
   * the acquirers that wait, parent threads and children's requests alike, in the order they came.
   * A release that goes through here ({@link SlabLock.Side#release}, a child's
   * {@link Msg#LOCK_RELEASE}, a dead child's) hands the lock word straight to the first waiter, so
   * a waiter is not overtaken by the releaser taking it back.
   */
  final class LockSlot extends HandOff<LockSlot.Waiter> implements SlabLock.Side {
    final ValueSlab slab;
    final int slot;
    final boolean reentrant;
    private final SlabLock.State state = new SlabLock.State();
    /** For the word operations; never handed out, so it keeps no handle alive (see {@link Hub#keep}). */
    private final SlabLock ops;

    /** A process waiting for the lock word: the pid it is taken for. */
    static final class Waiter extends HandOff.Waiter {
      final long pid;

      Waiter(long pid) {
        this.pid = pid;
      }
    }

    LockSlot(ValueSlab slab, int slot, boolean reentrant) {
      this.slab = slab;
      this.slot = slot;
      this.reentrant = reentrant;
      this.ops = handle(0);
    }

    SlabLock handle(long id) {
      return new SlabLock(backendId(), id, slab.path, slot, reentrant, slab.buffer, state, this);
    }

    @Override
    public boolean await(SlabLock l, long nanos) throws InterruptedException {
      return await(new Waiter(SlabLock.SELF), nanos);
    }

    @Override
    boolean grant(Waiter w) {
      return ops.takeFor(w.pid);
    }

    @Override
    void ungrant(Waiter w) {
      release(ops, ops.word());
    }

    @Override
    void addWaiting(long delta) {
      ops.addWaiting(delta);
    }

    @Override
    public boolean quiet() {
      return true;
    }

    @Override
    public void awaitHandled() {
      // the parent is the hub: nothing to wait for
    }

    @Override
    public void release(SlabLock l, long word) {
      lock.lock();
      try {
        if (word != 0) {
          ops.compareAndSet(word, SlabLock.freed(word)); // fails if taken back by its holder, or freed already
        }
        handOff();
      } finally {
        lock.unlock();
      }
    }

    /** A child's release through the hub ({@link Msg#LOCK_RELEASE}). */
    void released(long word) {
      release(ops, word);
    }

    /** @return 1 if {@code pid} (a dead child) held the lock word, now freed and handed on; else 0 */
    int releaseHeldBy(long pid) {
      lock.lock();
      try {
        long w = ops.word();
        while (SlabLock.holder(w) == pid) {
          if (ops.compareAndSet(w, SlabLock.freed(w))) {
            handOff();
            return 1;
          }
          w = ops.word();
        }
        return 0;
      } finally {
        lock.unlock();
      }
    }

    /** Serves a child's acquire that waits ({@link #SLAB_LOCK}), in the background. */
    Hub.Outcome acquire(Child child, long req, Peer peer, long nanos) {
      long pid = child.pid();
      if (ops.takeFor(pid)) {
        return Hub.TRUE;
      }
      if (!mayWait(nanos)) {
        return Hub.FALSE;
      }
      hub.background(child, req, () -> {
        boolean ok = await(new Waiter(pid), nanos);
        if (ok && peer.dead) {
          releaseHeldBy(pid);
        }
        return ok ? Hub.TRUE : Hub.FALSE;
      });
      return null;
    }
  }

  /** @return the parent's handle in use on shared Value {@code id}, or a new one; null if it is gone */
  Object slabValue(long id) {
    return hub.kept(id, () -> objects.get(id) instanceof Slot s
        ? new SlabValue(backendId(), id, s.slab().path, s.slot(), s.slab().buffer) : null);
  }

  /** The backend is closed: delete the Values' shared memory file (the handles keep their mapping). */
  void close() {
    slabLock.lock();
    try {
      closed = true;
      if (slab != null) {
        slab.delete();
      }
    } finally {
      slabLock.unlock();
    }
  }

  <K, V> ProcessSync.PSharedMap<K, V> newSharedMap() {
    long id = hub.newId();
    LocalSharedMap<Object, byte[]> local = new LocalSharedMap<>();
    return register(id, local, new ProcessSync.PSharedMap<>(backendId(), id, local));
  }

  private <H> H register(long id, Object state, H handle) {
    objects.put(id, state);
    hub.keep(id, handle);
    return handle;
  }

  /** Nothing holds object {@code id} any more (or it is a queue or event: nothing to do). */
  void forget(long id) {
    pipeQueues.remove(id); // its inbox queues go once their handles are collected
    Slot m = mirrors.remove(id);
    if (m != null) {
      m.slab().free(m.slot());
    }
    Object o = objects.remove(id);
    if (o instanceof Slot s) {
      s.slab().free(s.slot());
    } else if (o instanceof LockSlot l) {
      l.slab.free(l.slot);
    } else if (o instanceof SemaphoreSlot sem) {
      sem.slab.free(sem.slot);
    }
  }

  /** @return how many objects the hub holds (for tests; {@link Hub#held} first counts off the cleared handles) */
  int objects() {
    return objects.size();
  }

  /**
   * @return the parent's handle in use on the object {@code r} names (a pipe's: the {@link ProcessSync.PPipe}),
   *     or a new one over its state; null if it is gone
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  Object handle(ProcessSync.Ref r) {
    long id = r.id();
    return hub.kept(id, () -> {
      Object o = objects.get(id);
      if (o == null) {
        return null;
      }
      return switch (r.kind()) {
        case LOCK, RLOCK -> new ProcessSync.PLock(backendId(), r.kind(), id, (Lock) o);
        case SEMAPHORE -> new ProcessSync.PSemaphore(backendId(), id, (LocalSemaphore) o);
        case BARRIER -> new ProcessSync.PBarrier(backendId(), id, (LocalBarrier) o);
        case JOINABLE -> {
          Joinable j = (Joinable) o;
          yield new ProcessSync.PJoinableQueue(backendId(), id, j.local(), j.queue(), j.maxSize());
        }
        case PIPE -> {
          ProcessQueue<?>[] inboxes = pipeQueues.get(id);
          yield new ProcessSync.PPipe<>(backendId(), id, (Pipe<byte[]>) o, inboxes[0].id, inboxes[1].id);
        }
        case VALUE -> new ProcessSync.PValue(backendId(), id, (LocalValue) o);
        case MAP -> new ProcessSync.PSharedMap<>(backendId(), id, (LocalSharedMap<Object, byte[]>) o);
        default -> throw new IllegalStateException("unknown object kind " + r.kind());
      };
    });
  }

  // ------------------------------------------------------------------ serving

  /**
   * A child's one-way {@code taskDone} ({@link Msg#TASK_DONE}) for an item it took. If the count is
   * at zero, another process called it more often than items were put and was not told: said on
   * stderr, as nobody is waiting for an answer here.
   */
  void taskDone(Child child, long id) {
    if (objects.get(id) instanceof Joinable j) {
      try {
        j.local().taskDone();
      } catch (IllegalStateException e) {
        System.err.println("multiproc: " + child + ": " + e.getMessage());
      }
    }
  }

  /** A child's release of a shared-memory lock through the hub ({@link Msg#LOCK_RELEASE}). */
  void lockReleased(long id, long word) {
    if (objects.get(id) instanceof LockSlot l) {
      l.released(word);
    }
  }

  /**
   * A child's one-way pipe send ({@link Msg#PIPE_SEND}): it sent on this pipe before, and was not
   * told it is closed. If it is closed now, the item cannot be received by anyone; the child is
   * told, and its later sends throw.
   */
  @SuppressWarnings("unchecked")
  void pipeSend(Child child, long id, Buf.In m) {
    if (!(objects.get(id) instanceof Pipe<?> p)) {
      child.trySend(Msg.PIPE_BROKEN, id, null);
      return;
    }
    LocalConnection<byte[]> end = (LocalConnection<byte[]>) (m.readByte() == 0 ? p.left() : p.right());
    used(child, end);
    try {
      end.send(m.readBlob());
    } catch (IllegalStateException e) {
      child.trySend(Msg.PIPE_BROKEN, id, null);
    }
  }

  /** An end of pipe {@code id} closed: the children that used it send one-way no more. */
  private void pipeBroken(long id, Pipe<byte[]> ends) {
    peers.forEach((child, peer) -> {
      if (peer.ends.contains((LocalConnection<byte[]>) ends.left()) || peer.ends.contains((LocalConnection<byte[]>) ends.right())) {
        child.trySend(Msg.PIPE_BROKEN, id, null);
      }
    });
  }

  /** Serves one {@link Msg#SYNC_OP} request of a child, on its reader thread; never blocks. */
  void handle(Child child, long req, Buf.In m) {
    int kind = m.readByte();
    int op = m.readByte();
    long id = m.readVarLong();
    long wait = m.readVarLong();
    long nanos = wait == Msg.WAIT_FOREVER ? Waits.FOREVER : wait - 1;
    Object o = objects.get(id);
    if (o == null) {
      Hub.reply(child, req, Hub.error(new IllegalStateException(
          "the object #" + id + " no longer exists: its process backend was closed, or no handle to it was left")));
      return;
    }
    Peer peer = peers.computeIfAbsent(child, c -> new Peer(c.toString()));
    try {
      Hub.Outcome now = switch (kind) {
        case LOCK, RLOCK -> lock(child, req, peer, kind, (Lock) o, op, nanos, m);
        case SLAB_LOCK -> ((LockSlot) o).acquire(child, req, peer, nanos);
        case SLAB_SEMAPHORE -> ((SemaphoreSlot) o).acquire(child, req, peer, nanos);
        case SEMAPHORE -> semaphore(child, req, peer, (LocalSemaphore) o, op, nanos);
        case BARRIER -> barrier(child, req, (LocalBarrier) o, op, nanos);
        case JOINABLE -> joinable(child, req, ((Joinable) o).local(), op, nanos);
        case PIPE -> pipe(child, req, peer, (Pipe<?>) o, op, nanos, m);
        case VALUE -> value((LocalValue) o, op, m);
        case MAP -> map(castMap(o).map(), op, m);
        default -> Hub.error(new IllegalStateException("unknown object kind " + kind));
      };
      if (now != null) {
        Hub.reply(child, req, now);
      }
    } catch (RuntimeException e) {
      Hub.reply(child, req, Hub.error(e));
    }
  }

  @SuppressWarnings("unchecked")
  private static LocalSharedMap<Object, byte[]> castMap(Object o) {
    return (LocalSharedMap<Object, byte[]>) o;
  }

  private static boolean mayWait(long nanos) {
    return nanos > 0;
  }

  /** @return the reply, or null if the request went to the background */
  private Hub.Outcome lock(Child child, long req, Peer peer, int kind, Lock local, int op, long nanos, Buf.In m) {
    Object owner = kind == RLOCK ? new ChildThread(peer, m.readVarLong()) : peer;
    switch (op) {
      case ACQUIRE -> {
        if (local instanceof LocalRLock r ? r.tryAcquire(owner) : ((LocalLock) local).tryAcquire(owner)) {
          return Hub.TRUE;
        }
        if (!mayWait(nanos)) {
          return Hub.FALSE;
        }
        hub.background(child, req, () -> {
          boolean ok = local instanceof LocalRLock r ? r.acquire(owner, nanos) : ((LocalLock) local).acquire(owner, nanos);
          if (ok && peer.dead) {
            release(local, peer);
          }
          return ok ? Hub.TRUE : Hub.FALSE;
        });
        return null;
      }
      case RELEASE -> {
        if (local instanceof LocalRLock r) {
          r.release(owner);
        } else {
          local.release();
        }
        return Hub.TRUE;
      }
      default -> throw new IllegalStateException("unknown lock op " + op);
    }
  }

  private Hub.Outcome semaphore(Child child, long req, Peer peer, LocalSemaphore s, int op, long nanos) {
    switch (op) {
      case ACQUIRE -> {
        if (s.tryAcquire(peer)) {
          return Hub.TRUE;
        }
        if (!mayWait(nanos)) {
          return Hub.FALSE;
        }
        hub.background(child, req, () -> {
          boolean ok = s.acquire(peer, nanos);
          if (ok && peer.dead) {
            s.releaseHeldBy(heldBy(peer));
          }
          return ok ? Hub.TRUE : Hub.FALSE;
        });
        return null;
      }
      case RELEASE -> {
        s.release(peer);
        return Hub.TRUE;
      }
      case AVAILABLE -> {
        return number(s.available());
      }
      default -> throw new IllegalStateException("unknown semaphore op " + op);
    }
  }

  private Hub.Outcome barrier(Child child, long req, LocalBarrier b, int op, long nanos) {
    switch (op) {
      case AWAIT -> {
        hub.background(child, req, () -> {
          try {
            return number(b.await(nanos));
          } catch (BrokenBarrierException | TimeoutException e) {
            return Hub.error(e);
          }
        });
        return null;
      }
      case RESET -> b.reset();
      case ABORT -> b.abort();
      case IS_BROKEN -> {
        return b.isBroken() ? Hub.TRUE : Hub.FALSE;
      }
      case WAITING -> {
        return number(b.waiting());
      }
      default -> throw new IllegalStateException("unknown barrier op " + op);
    }
    return Hub.TRUE;
  }

  private Hub.Outcome joinable(Child child, long req, LocalJoinableQueue<Object> q, int op, long nanos) {
    switch (op) {
      case TASK_DONE -> {
        q.taskDone();
        return Hub.TRUE;
      }
      case JOIN -> {
        if (q.unfinished() == 0) {
          return Hub.TRUE;
        }
        if (!mayWait(nanos)) {
          return Hub.FALSE;
        }
        hub.background(child, req, () -> q.join(nanos) ? Hub.TRUE : Hub.FALSE);
        return null;
      }
      default -> throw new IllegalStateException("unknown joinable queue op " + op);
    }
  }

  @SuppressWarnings("unchecked")
  private Hub.Outcome pipe(Child child, long req, Peer peer, Pipe<?> p, int op, long nanos, Buf.In m) {
    LocalConnection<byte[]> end = (LocalConnection<byte[]>) (m.readByte() == 0 ? p.left() : p.right());
    peer.ends.add(end);
    switch (op) {
      case SEND -> {
        end.send(m.readBlob());
        return Hub.TRUE;
      }
      case POLL -> {
        return end.poll() ? Hub.TRUE : Hub.FALSE;
      }
      case CLOSE -> {
        end.close();
        return Hub.TRUE;
      }
      default -> throw new IllegalStateException("unknown pipe op " + op);
    }
  }

  private static Hub.Outcome value(LocalValue v, int op, Buf.In m) {
    return switch (op) {
      case GET -> number(v.get());
      case SET -> {
        v.set(m.readLong());
        yield Hub.TRUE;
      }
      case ADD_AND_GET -> number(v.addAndGet(m.readLong()));
      case GET_AND_ADD -> number(v.getAndAdd(m.readLong()));
      case CAS -> v.compareAndSet(m.readLong(), m.readLong()) ? Hub.TRUE : Hub.FALSE;
      default -> throw new IllegalStateException("unknown value op " + op);
    };
  }

  private static Hub.Outcome map(ConcurrentHashMap<Object, byte[]> map, int op, Buf.In m) {
    switch (op) {
      case GET -> {
        return bytesOrFalse(map.get(key(m)));
      }
      case PUT -> {
        Object k = key(m);
        return bytesOrFalse(map.put(k, m.readBlob()));
      }
      case PUT_IF_ABSENT -> {
        Object k = key(m);
        return bytesOrFalse(map.putIfAbsent(k, m.readBlob()));
      }
      case REMOVE -> {
        return bytesOrFalse(map.remove(key(m)));
      }
      case CONTAINS -> {
        return map.containsKey(key(m)) ? Hub.TRUE : Hub.FALSE;
      }
      case SIZE -> {
        return number(map.size());
      }
      case CLEAR -> {
        map.clear();
        return Hub.TRUE;
      }
      case SNAPSHOT -> {
        Buf b = new Buf(256);
        Map<Object, byte[]> copy = Map.copyOf(map);
        b.writeVarLong(copy.size());
        for (Map.Entry<Object, byte[]> e : copy.entrySet()) {
          b.writeBlob(Codec.encodeValue(e.getKey(), "map key")).writeBlob(e.getValue());
        }
        return new Hub.Outcome(Msg.R_VALUE, b.toByteArray(), null);
      }
      case REPLACE -> {
        Object k = key(m);
        byte[] expected = m.readByte() == 1 ? m.readBlob() : null;
        byte[] replacement = m.readByte() == 1 ? m.readBlob() : null;
        boolean[] done = new boolean[1];
        map.compute(k, (key, current) -> {
          if (expected == null ? current == null : current != null && Arrays.equals(current, expected)) {
            done[0] = true;
            return replacement;
          }
          return current;
        });
        return done[0] ? Hub.TRUE : Hub.FALSE;
      }
      default -> throw new IllegalStateException("unknown map op " + op);
    }
  }

  private static Object key(Buf.In m) {
    return Codec.decodeValue(m.readBlob());
  }

  private static Hub.Outcome bytesOrFalse(byte[] b) {
    return b == null ? Hub.FALSE : new Hub.Outcome(Msg.R_VALUE, b, null);
  }

  private static Hub.Outcome number(long n) {
    return new Hub.Outcome(Msg.R_VALUE, new Buf(10).writeLong(n).toByteArray(), null);
  }

  // ------------------------------------------------------------------ deaths

  private static Predicate<Object> heldBy(Peer peer) {
    return o -> o == peer || o instanceof ChildThread t && t.peer() == peer;
  }

  private static int release(Lock local, Peer peer) {
    return local instanceof LocalRLock r ? r.releaseHeldBy(heldBy(peer)) : ((LocalLock) local).releaseHeldBy(heldBy(peer));
  }

  /**
   * A child is gone (the hub has interrupted its waits): release the locks and permits it held,
   * close the pipe ends it used.
   */
  void childDied(Child child) {
    Peer peer = peers.remove(child); // null if it never asked the hub: it may still hold shared-memory locks
    if (peer != null) {
      peer.dead = true;
    }
    for (Map.Entry<Long, Object> e : objects.entrySet()) {
      long id = e.getKey();
      Object o = e.getValue();
      int n = 0;
      String what = null;
      if (o instanceof LockSlot l) {
        n = l.releaseHeldBy(child.pid());
        what = l.reentrant ? "RLock" : "Lock";
      } else if (o instanceof SemaphoreSlot s) {
        n = (int) s.childDied(child, child.semaphoreHeld(id));
        what = "Semaphore permit(s)";
      } else if (peer == null) {
        continue;
      } else if (o instanceof Lock l) {
        n = release(l, peer);
        what = l instanceof LocalRLock ? "RLock" : "Lock";
      } else if (o instanceof LocalSemaphore s) {
        n = s.releaseHeldBy(heldBy(peer));
        what = "Semaphore permit(s)";
      }
      if (n > 0) {
        int released = n;
        String type = what;
        ProcessLog.LOG.log(Level.DEBUG, () -> "child " + child + " died holding " + released + " " + type + " #" + id
            + "; released it for the others");
      }
    }
    if (peer == null) {
      return;
    }
    for (LocalConnection<byte[]> end : peer.ends) {
      if (!end.isClosed()) {
        end.close();
        ProcessLog.LOG.log(Level.DEBUG, () -> peer + " died; closed the pipe end it used");
      }
    }
  }
}
