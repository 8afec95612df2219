package dev.multiproc.process;

import dev.multiproc.Lock;
import dev.multiproc.engine.Waits;
import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@code Lock} or {@code RLock} of the process backend in shared memory ({@link ValueSlab}), as
 * Python's are POSIX semaphores: an uncontended acquire or release, in the parent or in a child,
 * is one compare-and-set on the mapped page and asks no one. Only waiting goes through the
 * parent: an acquire that finds the lock taken waits in the hub ({@link HubSync.LockSlot}), which
 * hands the lock to its waiters in turn as it is released.
 *
 * <p>The slot's two words: the <b>lock word</b>, the holder (the pid of the process holding it,
 * 0 when free) in its high half and a count of acquisitions in its low half, so that each
 * acquisition writes a word never seen before; and the number of acquirers <b>waiting</b> in the
 * hub. Which thread of the holding process holds an RLock, and how often, is that process's own
 * business ({@link State}); the lock word says only which process.
 *
 * <p><b>Order with the rest of the channel.</b> Actions before a release happen-before those after
 * the next acquire, also for what a child sent one-way (a queue put, printed output): a child
 * releases with a compare-and-set only if the parent has read everything it sent and nobody waits;
 * otherwise it sends the release behind its messages ({@link Msg#LOCK_RELEASE}) and the hub
 * releases the lock when it comes to it. Until then the lock is the releaser's to take back at
 * once (the word it released is remembered in {@link State#pending}; taking it back counts one
 * more acquisition, so the hub's release of the older word then does nothing), unless someone
 * waits. The other way too: a child that took a lock goes on only once it has handled every
 * message the parent wrote to it before (its ring counts the bytes written and handled,
 * {@link ChildChannel#awaitHandled}). A child that dies
 * holding the lock frees it: the hub releases whatever its pid holds.
 */
final class SlabLock implements Lock, Serializable {

  @Serial private static final long serialVersionUID = 1L;

  /** The slot's words. */
  static final int WORD = 0;
  static final int WAITING = 1;
  /** This process in a lock word. */
  static final long SELF = ProcessHandle.current().pid();

  /** Where a lock waits and what its process sends: the hub's in the parent, requests in a child. */
  interface Side {
    /**
     * Waits until the lock word is this process's.
     *
     * @param nanos how long at most ({@link Waits#FOREVER}: no limit); positive
     * @return false if the time ran out first
     * @throws InterruptedException if interrupted first; the lock is not this process's then
     */
    boolean await(SlabLock lock, long nanos) throws InterruptedException;

    /** @return true if nothing this process sent may still be unread by the hub (always in the parent) */
    boolean quiet();

    /**
     * This process took the lock: returns once it has handled everything the parent sent it before
     * the release it saw, so that what follows keeps the parent's order (at once in the parent; see
     * {@link ChildChannel#awaitHandled}).
     */
    void awaitHandled();

    /**
     * Releases the lock word {@code word} through the hub, which hands the lock to a waiter; with
     * {@code word} 0, the caller released it itself and the hub should only hand it on.
     */
    void release(SlabLock lock, long word);
  }

  /** What one process knows of one lock, whichever of its handles is used. */
  static final class State {
    /** The lock word this process released through the hub and the hub may not have freed yet; 0 if none. */
    final AtomicLong pending = new AtomicLong();
    /** An RLock's holding thread in this process, and its holds (changed only by that thread). */
    volatile Thread owner;
    int holds;
  }

  private final long backendId;
  private final long id;
  private final String path;
  private final int slot;
  private final boolean reentrant;
  private final transient ByteBuffer buffer;
  private final transient State state;
  private final transient Side side;

  SlabLock(long backendId, long id, String path, int slot, boolean reentrant, ByteBuffer buffer, State state, Side side) {
    this.backendId = backendId;
    this.id = id;
    this.path = path;
    this.slot = slot;
    this.reentrant = reentrant;
    this.buffer = buffer;
    this.state = state;
    this.side = side;
  }

  long id() {
    return id;
  }

  // ------------------------------------------------------------------ the lock word

  static long holder(long word) {
    return word >>> 32;
  }

  /** The word after {@code word}, taken by {@code pid}: one acquisition more. */
  static long taken(long word, long pid) {
    return pid << 32 | (word + 1) & 0xFFFF_FFFFL;
  }

  /** {@code word}, freed. */
  static long freed(long word) {
    return word & 0xFFFF_FFFFL;
  }

  long word() {
    return ValueSlab.get(buffer, slot, WORD);
  }

  boolean compareAndSet(long expected, long word) {
    return ValueSlab.compareAndSet(buffer, slot, WORD, expected, word);
  }

  long waiting() {
    return ValueSlab.get(buffer, slot, WAITING);
  }

  void addWaiting(long delta) {
    ValueSlab.getAndAdd(buffer, slot, WAITING, delta);
  }

  /**
   * Takes the lock word for {@code pid} if it is free.
   *
   * @return false if another holds it
   */
  boolean takeFor(long pid) {
    while (true) {
      long w = word();
      if (holder(w) != 0) {
        return false;
      }
      if (compareAndSet(w, taken(w, pid))) {
        return true;
      }
    }
  }

  /** Takes the lock word for this process: free, or released by it through the hub that has not freed it yet (while nobody waits). */
  private boolean take() {
    while (true) {
      long w = word();
      if (holder(w) == 0) {
        if (compareAndSet(w, taken(w, SELF))) {
          return true;
        }
        continue;
      }
      long p = state.pending.get();
      if (p == 0 || w != p || waiting() != 0) {
        return false;
      }
      if (compareAndSet(w, taken(w, SELF))) {
        state.pending.compareAndSet(p, 0);
        return true;
      }
    }
  }

  // ------------------------------------------------------------------ Lock

  @Override
  public void acquire() throws InterruptedException {
    acquire(Waits.FOREVER);
  }

  @Override
  public boolean acquire(Duration timeout) throws InterruptedException {
    return acquire(Waits.nanos(timeout));
  }

  @Override
  public boolean tryAcquire() {
    return reenter() || take() && held();
  }

  private boolean acquire(long nanos) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (reenter()) {
      return true;
    }
    if (take()) {
      return held();
    }
    if (nanos != Waits.FOREVER && nanos <= 0) {
      return false;
    }
    return side.await(this, nanos) && held();
  }

  /** @return true if this is an RLock its caller holds: held once more */
  private boolean reenter() {
    if (reentrant && state.owner == Thread.currentThread()) {
      state.holds++;
      return true;
    }
    return false;
  }

  /** This process took the lock word for the calling thread. */
  private boolean held() {
    side.awaitHandled();
    if (reentrant) {
      state.owner = Thread.currentThread();
      state.holds = 1;
    }
    return true;
  }

  @Override
  public void release() {
    if (reentrant) {
      if (state.owner != Thread.currentThread()) {
        throw new IllegalStateException("release() of an RLock the calling thread does not hold");
      }
      if (--state.holds > 0) {
        return;
      }
      state.owner = null;
    }
    while (true) {
      long w = word();
      if (holder(w) == 0 || w == state.pending.get()) {
        throw new IllegalStateException("release() of a Lock that is not locked");
      }
      if (waiting() != 0 || !side.quiet()) {
        state.pending.set(w);
        side.release(this, w);
        return;
      }
      if (compareAndSet(w, freed(w))) {
        if (waiting() != 0) {
          side.release(this, 0); // a waiter came meanwhile: it may have missed the free word
        }
        return;
      }
    }
  }

  @Override
  public String toString() {
    long w = word();
    return (reentrant ? "RLock#" : "Lock#") + id + "{" + (holder(w) == 0 ? "unlocked" : "locked by pid " + holder(w)) + "}";
  }

  // ------------------------------------------------------------------ travelling

  @Serial
  private Object writeReplace() {
    Hub.pinInQueueItem(backendId, id);
    return new Ref(backendId, id, path, slot, reentrant);
  }

  /** What travels: the slab's path, the slot and the kind. A class, not a record, as {@link QueueRef} says. */
  static final class Ref implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final long backendId;
    private final long id;
    private final String path;
    private final int slot;
    private final boolean reentrant;

    Ref(long backendId, long id, String path, int slot, boolean reentrant) {
      this.backendId = backendId;
      this.id = id;
      this.path = path;
      this.slot = slot;
      this.reentrant = reentrant;
    }

    @Serial
    private Object readResolve() throws ObjectStreamException {
      ChildChannel channel = ChildChannel.current;
      if (channel != null) {
        SlabLock l = new SlabLock(backendId, id, path, slot, reentrant, ValueSlab.open(path), channel.lockState(id),
            ChildSync.LOCK_SIDE);
        channel.refs().created(l, id);
        return l;
      }
      HubSync sync = Hub.sync(backendId);
      Object o = sync == null ? null : sync.slabLock(id);
      if (o == null) {
        throw new InvalidObjectException((reentrant ? "RLock #" : "Lock #") + id + " no longer exists: the process backend"
            + " that made it is closed, or no handle to it was left");
      }
      return o;
    }
  }
}
