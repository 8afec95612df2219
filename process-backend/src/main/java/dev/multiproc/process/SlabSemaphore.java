package dev.multiproc.process;

import dev.multiproc.Semaphore;
import dev.multiproc.engine.Waits;
import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A {@code Semaphore} or {@code BoundedSemaphore} of the process backend in shared memory
 * ({@link ValueSlab}), as Python's is a POSIX semaphore: taking a permit that is there, or giving
 * one back, is a compare-and-set on the permit count, in whichever process. Only waiting goes
 * through the parent, whose {@link HubSync.SemaphoreSlot} hands released permits to its waiters in
 * turn.
 *
 * <p><b>A dead child's permits.</b> A child counts the permits it took itself in its ring's file
 * ({@link Ring#holding}), which the parent reads once the child is gone; the hub counts those it
 * handed a waiting child. The parent gives back what a dead child held, but never more than are
 * taken out ({@code initial - available}), so a release by a process that held none counts against
 * the others, as the API says. (A child killed between taking a permit and counting it, a few
 * instructions, keeps that permit.)
 *
 * <p><b>Order.</b> As for {@link SlabLock}: a child gives a permit back itself only if the parent
 * has read everything it sent and nobody waits; otherwise it sends the release behind its
 * messages ({@link Msg#SEMAPHORE_RELEASE}), so what it sent before is there for whoever takes the
 * permit next. A bounded semaphore's refusal is checked before; one that only the hub finds (two
 * processes over-releasing at once) is said on the parent's stderr.
 */
final class SlabSemaphore implements Semaphore, Serializable {

  @Serial private static final long serialVersionUID = 1L;

  /** The slot's words. */
  static final int AVAILABLE = 0;
  static final int WAITING = 1;

  /** Where a semaphore waits and how its process counts permits: the hub's in the parent, a child's own otherwise. */
  interface Side {
    /** @return true if this process may take permits itself (a child must have a count for it) */
    boolean counts(SlabSemaphore s);

    /**
     * This process took a permit itself: count it, and (a child) go on only once it has handled what
     * the parent sent before the release it saw ({@link ChildChannel#awaitHandled}).
     */
    void took(SlabSemaphore s);

    /**
     * A permit is given back by this process: uncount one it took itself, if it holds any.
     *
     * @return true if it did, or if this process counts nothing (the parent)
     */
    boolean gaveBack(SlabSemaphore s);

    /** @return true if nothing this process sent may still be unread by the hub (always in the parent) */
    boolean quiet();

    /**
     * Takes a permit for this process through the hub, waiting up to {@code nanos}
     * ({@link Waits#FOREVER}: no limit; 0: not at all).
     *
     * @return false if the time ran out first
     * @throws InterruptedException if interrupted first; no permit taken then
     */
    boolean await(SlabSemaphore s, long nanos) throws InterruptedException;

    /**
     * Gives a permit back through the hub, which hands it to a waiter ({@code own}: it was one this
     * process counted itself and has uncounted; else the hub uncounts one it handed this process, if
     * any); with {@code add} false the caller gave it back itself and the hub only hands it on.
     */
    void release(SlabSemaphore s, boolean add, boolean own);
  }

  private final long backendId;
  private final long id;
  private final String path;
  private final int slot;
  private final int initial;
  private final boolean bounded;
  private final transient ByteBuffer buffer;
  private final transient Side side;

  SlabSemaphore(long backendId, long id, String path, int slot, int initial, boolean bounded, ByteBuffer buffer, Side side) {
    this.backendId = backendId;
    this.id = id;
    this.path = path;
    this.slot = slot;
    this.initial = initial;
    this.bounded = bounded;
    this.buffer = buffer;
    this.side = side;
  }

  long id() {
    return id;
  }

  int initial() {
    return initial;
  }

  boolean bounded() {
    return bounded;
  }

  // ------------------------------------------------------------------ the words

  long permits() {
    return ValueSlab.get(buffer, slot, AVAILABLE);
  }

  long waiting() {
    return ValueSlab.get(buffer, slot, WAITING);
  }

  void addWaiting(long delta) {
    ValueSlab.getAndAdd(buffer, slot, WAITING, delta);
  }

  /** Takes a permit if there is one. */
  boolean takeOne() {
    while (true) {
      long a = permits();
      if (a <= 0) {
        return false;
      }
      if (ValueSlab.compareAndSet(buffer, slot, AVAILABLE, a, a - 1)) {
        return true;
      }
    }
  }

  /**
   * Adds {@code n} permits, up to the initial count if bounded.
   *
   * @return how many were added
   */
  long add(long n, long cap) {
    while (true) {
      long a = permits();
      long k = Math.min(n, cap - a);
      if (k <= 0) {
        return 0;
      }
      if (ValueSlab.compareAndSet(buffer, slot, AVAILABLE, a, a + k)) {
        return k;
      }
    }
  }

  private IllegalStateException overReleased() {
    return new IllegalStateException("release() of a BoundedSemaphore would raise it above its initial " + initial
        + " permit(s): it was released more times than acquired");
  }

  // ------------------------------------------------------------------ Semaphore

  @Override
  public void acquire() throws InterruptedException {
    acquire(Waits.FOREVER);
  }

  @Override
  public boolean acquire(Duration timeout) throws InterruptedException {
    return acquire(Waits.nanos(timeout));
  }

  private boolean acquire(long nanos) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (side.counts(this)) {
      if (takeOne()) {
        side.took(this);
        return true;
      }
      if (nanos != Waits.FOREVER && nanos <= 0) {
        return false;
      }
    }
    return side.await(this, nanos == Waits.FOREVER ? nanos : Math.max(nanos, 0));
  }

  @Override
  public boolean tryAcquire() {
    if (side.counts(this)) {
      if (takeOne()) {
        side.took(this);
        return true;
      }
      return false;
    }
    try {
      return side.await(this, 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // an answer at once is not waited for: keep the flag
      return false;
    }
  }

  @Override
  public void release() {
    if (bounded && permits() >= initial) {
      throw overReleased();
    }
    boolean own = side.gaveBack(this);
    if (own && waiting() == 0 && side.quiet()) {
      while (true) {
        long a = permits();
        if (bounded && a >= initial) {
          side.took(this); // not given back after all
          throw overReleased();
        }
        if (ValueSlab.compareAndSet(buffer, slot, AVAILABLE, a, a + 1)) {
          break;
        }
      }
      if (waiting() != 0) {
        side.release(this, false, true); // a waiter came meanwhile: it may have missed the permit
      }
      return;
    }
    side.release(this, true, own);
  }

  @Override
  public int available() {
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, permits()));
  }

  @Override
  public String toString() {
    return (bounded ? "BoundedSemaphore#" : "Semaphore#") + id + "{" + permits() + " of " + initial + "}";
  }

  // ------------------------------------------------------------------ travelling

  @Serial
  private Object writeReplace() {
    Hub.pinInQueueItem(backendId, id);
    return new Ref(backendId, id, path, slot, initial, bounded);
  }

  /** What travels: the slab's path, the slot, the initial count and the kind. A class, not a record, as {@link QueueRef} says. */
  static final class Ref implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final long backendId;
    private final long id;
    private final String path;
    private final int slot;
    private final int initial;
    private final boolean bounded;

    Ref(long backendId, long id, String path, int slot, int initial, boolean bounded) {
      this.backendId = backendId;
      this.id = id;
      this.path = path;
      this.slot = slot;
      this.initial = initial;
      this.bounded = bounded;
    }

    @Serial
    private Object readResolve() throws ObjectStreamException {
      ChildChannel channel = ChildChannel.current;
      if (channel != null) {
        SlabSemaphore s = new SlabSemaphore(backendId, id, path, slot, initial, bounded, ValueSlab.open(path),
            ChildSync.SEMAPHORE_SIDE);
        channel.refs().created(s, id);
        return s;
      }
      HubSync sync = Hub.sync(backendId);
      Object o = sync == null ? null : sync.slabSemaphore(id);
      if (o == null) {
        throw new InvalidObjectException((bounded ? "BoundedSemaphore #" : "Semaphore #") + id + " no longer exists:"
            + " the process backend that made it is closed, or no handle to it was left");
      }
      return o;
    }
  }
}
