package dev.multiproc.engine;

import dev.multiproc.Queue;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Queue} in this JVM: a linked list with one lock for each end (the "two-lock queue"), so
 * that producers and consumers do not wait for each other, plus an atomic count. A producer wakes a
 * consumer only when it makes the queue non-empty; a consumer that leaves items behind wakes the
 * next one. That cascade is what lets one producer feed a million blocked consumers without
 * fighting each of them for a lock. No monitors: virtual threads never pin on it.
 *
 * <p>For the process backend, which keeps its queues here in the parent, two more things:
 * <ul>
 *   <li><b>Reserved slots</b> ({@link #reserve}, {@link #putReserved}, {@link #unreserve}): slots
 *       of a bounded queue set aside for a producer elsewhere, which then puts without asking.
 *       The capacity counts items and reserved slots together ({@code used}); {@link #size()}
 *       counts items. A put that finds the queue full while slots are reserved asks the
 *       {@linkplain #reclaimer(Runnable) reclaimer} to have them given back, then waits as usual;
 *       {@link #tryPut} waits a moment for them ({@link #RECLAIM_NANOS}), {@link #offer} never.
 *   <li><b>Handed-off takes</b> ({@link #takeOrWait}): a consumer that is not a thread here (a
 *       child's {@code get}) registers a {@link Taker}; the put that makes the queue non-empty
 *       takes the item for it on its own thread and hands it over, in queue order.
 *   <li><b>Lent items</b> ({@link #lend}, {@link #received}, {@link #giveBack}): items taken ahead
 *       for a consumer elsewhere (a child draining the queue), which then takes them one by one
 *       without asking. They count in {@link #size()} and against the capacity until the consumer
 *       has them ({@link #received}). Order is kept: lent items are the oldest there are, and they
 *       are lent to one consumer at a time; while any are out, nobody else takes: another consumer
 *       has them recalled ({@linkplain #lender(Lender) lender}) and waits for them to come back to
 *       the head. So every take is of the oldest item, and each consumer takes each producer's items
 *       in order.
 * </ul>
 *
 * <p>Internal: shared by the backends, no compatibility promise.
 *
 * @param <T> the item type
 */
public final class LocalQueue<T> implements Queue<T> {

  /**
   * How long {@link #tryPut} waits, at most, for reserved slots to be given back when only they
   * make the queue full: usually a round trip to the producer holding them; the bound is for a
   * producer that does not answer (stopped, or on a saturated machine).
   */
  public static final long RECLAIM_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** A consumer elsewhere, served by the put that brings it an item. */
  public interface Taker<T> {
    /** Receives the item taken for it; called once, on the putting thread, with no lock held. */
    void take(T item);
  }

  /** The consumer identity of threads in this JVM, for {@link #takeNow} and {@link #takeOrWait}. */
  public static final Object HERE = new Object();

  /** Who has the lent items of a queue, and how to ask for them. */
  public interface Lender {
    /**
     * Asks {@code lessee} to answer for the items lent to it: with {@code back}, to give back those
     * it has not taken ({@link #giveBack}); without, only to report those it took
     * ({@link #received}). Called with no lock held; must not block.
     */
    void recall(Object lessee, boolean back);
  }

  /** A link; the head is a sentinel whose item is null. */
  private static final class Node<T> {
    T item;
    Node<T> next;

    Node(T item) {
      this.item = item;
    }
  }

  private final int capacity;
  private final Runnable onAdd;
  private final AtomicInteger count = new AtomicInteger();
  /** Items plus reserved slots: what the capacity limits. Only kept for a bounded queue. */
  private final AtomicInteger used = new AtomicInteger();
  private final ReentrantLock takeLock = new ReentrantLock();
  private final Condition notEmpty = takeLock.newCondition();
  private final ReentrantLock putLock = new ReentrantLock();
  private final Condition notFull = putLock.newCondition();
  private Node<T> head = new Node<>(null); // guarded by takeLock
  private Node<T> last = head; // guarded by putLock
  private int waitingPuts; // guarded by putLock
  private final ArrayDeque<Waiting<T>> takers = new ArrayDeque<>(); // guarded by takeLock
  private volatile Runnable reclaimer;
  /** Items lent and not yet received or given back; they count in {@link #used} as items do. */
  private final AtomicInteger lent = new AtomicInteger();
  private final Condition allBack = takeLock.newCondition();
  private volatile Object lessee; // written under takeLock: the consumer the items out were lent to; null when none are
  private volatile Lender lender;

  /** A registered taker and the consumer it takes for. */
  private record Waiting<T>(Taker<T> taker, Object who) {}

  /**
   * @param maxSize the capacity; 0 means unbounded
   * @throws IllegalArgumentException if negative
   */
  public LocalQueue(int maxSize) {
    this(maxSize, null);
  }

  /**
   * @param maxSize the capacity; 0 means unbounded
   * @param onAdd run inside every put that adds an item (under the put lock, before consumers can
   *     see the item; not for {@link #putBack}); must not block. Null for none.
   * @throws IllegalArgumentException if negative
   */
  public LocalQueue(int maxSize, Runnable onAdd) {
    this.onAdd = onAdd;
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize must be 0 (unbounded) or positive, got " + maxSize);
    }
    this.capacity = maxSize == 0 ? Integer.MAX_VALUE : maxSize;
  }

  /** @return the capacity, {@link Integer#MAX_VALUE} if unbounded */
  public int capacity() {
    return capacity;
  }

  private boolean bounded() {
    return capacity != Integer.MAX_VALUE;
  }

  /** Items, lent items and reserved slots. */
  private int used() {
    return bounded() ? used.get() : count.get();
  }

  /**
   * Sets what a put runs, with no lock held, when it finds the queue full while slots are
   * reserved: it should have them given back ({@link #unreserve}) soon; it must not block.
   */
  public void reclaimer(Runnable r) {
    this.reclaimer = r;
  }

  @Override
  public void put(T item) throws InterruptedException {
    Objects.requireNonNull(item, "item");
    int before;
    putLock.lockInterruptibly();
    try {
      if (used() >= capacity) {
        waitingPuts++;
        try {
          boolean asked = false;
          while (used() >= capacity) {
            if (!asked && reclaim()) {
              asked = true;
              continue;
            }
            notFull.await();
            asked = false;
          }
        } finally {
          waitingPuts--;
        }
      }
      before = append(item);
    } finally {
      putLock.unlock();
    }
    if (before == 0) {
      signalNotEmpty();
    }
  }

  @Override
  public boolean put(T item, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(item, "item");
    return put(item, timeout.toNanos());
  }

  /** As {@link #put(Object, Duration)}, in nanoseconds. */
  private boolean put(T item, long nanos) throws InterruptedException {
    int before;
    putLock.lockInterruptibly();
    try {
      if (used() >= capacity) {
        waitingPuts++;
        try {
          boolean asked = false;
          while (used() >= capacity) {
            if (nanos <= 0) {
              return false;
            }
            if (!asked && reclaim()) {
              asked = true;
              continue;
            }
            nanos = notFull.awaitNanos(nanos);
            asked = false;
          }
        } finally {
          waitingPuts--;
        }
      }
      before = append(item);
    } finally {
      putLock.unlock();
    }
    if (before == 0) {
      signalNotEmpty();
    }
    return true;
  }

  /**
   * If slots are reserved, runs the reclaimer, and if items are lent, asks their consumer what it
   * took; with the put lock released. Holds putLock.
   *
   * @return true if it ran (the caller checks again)
   */
  private boolean reclaim() {
    Runnable r = reserved() > 0 ? reclaimer : null;
    boolean out = lent.get() > 0;
    if (r == null && !out) {
      return false;
    }
    putLock.unlock();
    try {
      if (r != null) {
        r.run();
      }
      if (out) {
        recall(false); // the consumer's report frees the slots of what it took
      }
    } finally {
      putLock.lock();
    }
    return true;
  }

  /**
   * Puts an item if there is space now. When only reserved slots fill the queue, it has them
   * reclaimed and waits for them up to {@link #RECLAIM_NANOS}: they are held by a producer that
   * is not using them right now, and the queue is not full in the sense of the API.
   */
  @Override
  public boolean tryPut(T item) {
    if (offer(item)) {
      return true;
    }
    if (!bounded() || (reclaimer == null || reserved() == 0) && lent.get() == 0) {
      return false;
    }
    try {
      return put(item, RECLAIM_NANOS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Puts an item if there is space now, counting reserved slots as taken; never waits.
   *
   * @return false if the queue is full (of items and reserved slots)
   */
  public boolean offer(T item) {
    Objects.requireNonNull(item, "item");
    if (used() >= capacity) {
      return false;
    }
    int before;
    putLock.lock();
    try {
      if (used() >= capacity) {
        return false;
      }
      before = append(item);
    } finally {
      putLock.unlock();
    }
    if (before == 0) {
      signalNotEmpty();
    }
    return true;
  }

  /** Unlinks the head item, and wakes the next consumer if items are left. Holds takeLock, and an item is there. */
  private T dequeue() {
    T item = unlink();
    if (count.getAndDecrement() > 1) {
      notEmpty.signal();
    }
    return item;
  }

  /** Links an item at the tail; returns the count before. Holds putLock, and room is there. */
  private int append(T item) {
    if (onAdd != null) {
      onAdd.run();
    }
    link(item);
    if (bounded() && used.incrementAndGet() < capacity) {
      notFull.signal(); // another producer may go on
    }
    return count.getAndIncrement();
  }

  /** Links a node at the tail. Holds putLock. */
  private void link(T item) {
    Node<T> n = new Node<>(item);
    last.next = n;
    last = n;
  }

  // ------------------------------------------------------------------ reserved slots

  /**
   * Reserves up to {@code max} free slots of a bounded queue, none if a put is waiting for room.
   * Never waits.
   *
   * @return how many were reserved
   */
  public int reserve(int max) {
    if (!bounded() || max <= 0) {
      return 0;
    }
    putLock.lock();
    try {
      if (waitingPuts > 0) {
        return 0;
      }
      int n = Math.min(max, capacity - used.get());
      if (n <= 0) {
        return 0;
      }
      used.addAndGet(n);
      return n;
    } finally {
      putLock.unlock();
    }
  }

  /** @return how many slots are reserved and not yet filled (approximate while they change) */
  public int reserved() {
    return bounded() ? Math.max(0, used.get() - count.get() - lent.get()) : 0;
  }

  /** Puts an item in a slot reserved before ({@link #reserve}); never waits. */
  public void putReserved(T item) {
    Objects.requireNonNull(item, "item");
    int before;
    putLock.lock();
    try {
      if (onAdd != null) {
        onAdd.run();
      }
      link(item);
      before = count.getAndIncrement();
    } finally {
      putLock.unlock();
    }
    if (before == 0) {
      signalNotEmpty();
    }
  }

  /** Gives back {@code n} reserved slots (0 is allowed: waiting puts look again all the same). */
  public void unreserve(int n) {
    putLock.lock();
    try {
      if (bounded()) {
        used.addAndGet(-n);
      }
      notFull.signalAll();
    } finally {
      putLock.unlock();
    }
  }

  /**
   * Puts an item back at the head, ignoring the capacity: for an item that was taken on behalf of
   * a consumer that died before receiving it. Rare, so it takes both locks.
   *
   * @param item the item
   */
  public void putBack(T item) {
    Objects.requireNonNull(item, "item");
    Handoff<T> taker;
    putLock.lock();
    takeLock.lock();
    try {
      linkFirst(item);
      if (bounded()) {
        used.getAndIncrement();
      }
      count.getAndIncrement();
      taker = takers.isEmpty() ? null : serveOne();
      if (taker == null) {
        notEmpty.signal();
      }
    } finally {
      takeLock.unlock();
      putLock.unlock();
    }
    if (taker != null) {
      serve(taker);
    }
  }

  /** Links an item at the head. Holds both locks. */
  private void linkFirst(T item) {
    Node<T> n = new Node<>(item);
    n.next = head.next;
    head.next = n;
    if (last == head) {
      last = n;
    }
  }

  // ------------------------------------------------------------------ lent items

  /** Sets who is asked for lent items when they are wanted ({@link Lender}). */
  public void lender(Lender l) {
    this.lender = l;
  }

  /**
   * Lends consumer {@code who} up to {@code max} items from the head, as many as half of those
   * there, and no more than {@code maxWeight} by {@code weight} (at least one if any is lent); none
   * while another consumer holds lent items. An item of negative weight is never lent: lending
   * stops before it (a pipe's end-of-file marker). Never waits.
   *
   * @param into receives the items, oldest first
   * @return how many were lent
   */
  public int lend(Object who, int max, java.util.function.ToIntFunction<? super T> weight, long maxWeight,
      java.util.function.Consumer<? super T> into) {
    Objects.requireNonNull(who, "who");
    if (count.get() < 2 || max <= 0) {
      return 0;
    }
    int n = 0;
    takeLock.lock();
    try {
      Object l = lessee;
      if (l != null && l != who && lent.get() > 0) {
        return 0;
      }
      int limit = Math.min(max, count.get() / 2);
      long w = 0;
      while (n < limit) {
        T item = head.next.item;
        int wi = weight.applyAsInt(item);
        if (wi < 0) {
          break;
        }
        w += wi;
        if (n > 0 && w > maxWeight) {
          break;
        }
        unlink();
        count.getAndDecrement();
        lent.getAndIncrement();
        into.accept(item);
        n++;
      }
      if (n > 0) {
        lessee = who;
      }
    } finally {
      takeLock.unlock();
    }
    return n;
  }

  /** The consumer received {@code n} lent items: they leave the queue, and their slots are free. */
  public void received(int n) {
    if (n <= 0) {
      return;
    }
    if (lent.addAndGet(-n) == 0) {
      signalAllBack();
    }
    if (bounded() && used.getAndAdd(-n) >= capacity) {
      signalNotFull();
    }
  }

  /**
   * Lent items come back, not taken (recalled, or their consumer died): back to the head, in their
   * order ({@code items} oldest first). Their slots were kept.
   */
  public void giveBack(java.util.List<? extends T> items) {
    if (items.isEmpty()) {
      return;
    }
    java.util.List<Handoff<T>> served = new ArrayList<>();
    putLock.lock();
    takeLock.lock();
    try {
      for (int i = items.size() - 1; i >= 0; i--) {
        linkFirst(Objects.requireNonNull(items.get(i), "item"));
      }
      count.getAndAdd(items.size());
      if (lent.addAndGet(-items.size()) == 0) {
        lessee = null;
        allBack.signalAll();
      }
      // the takers that waited first are served first, as by a put
      for (Handoff<T> h; count.get() > 0 && !takers.isEmpty() && (h = serveOne()) != null; ) {
        served.add(h);
      }
      if (count.get() > 0) {
        notEmpty.signal();
      }
    } finally {
      takeLock.unlock();
      putLock.unlock();
    }
    served.forEach(this::serve);
  }

  /** @return how many items are lent out */
  public int lent() {
    return lent.get();
  }

  private void signalAllBack() {
    takeLock.lock();
    try {
      if (lent.get() == 0) { // checked under takeLock: not lent again meanwhile
        lessee = null;
      }
      allBack.signalAll();
    } finally {
      takeLock.unlock();
    }
    signalNotEmpty(); // takers held back while items were out may be served now
  }

  /**
   * Whether {@code who} must wait before taking: another consumer holds lent items (older than
   * every item here). Holds takeLock.
   */
  private boolean heldBack(Object who) {
    Object l = lessee;
    if (l == null || l == who) {
      return false;
    }
    return lent.get() > 0;
  }

  /** Asks the lessee for its lent items, with no lock held. */
  private void recall(boolean back) {
    Lender r = lender;
    Object l = lessee;
    if (r != null && l != null && lent.get() > 0) {
      r.recall(l, back);
    }
  }

  /** Runs {@link #recall} with takeLock released. Holds takeLock. */
  private void recallUnlocked() {
    takeLock.unlock();
    try {
      recall(true);
    } finally {
      takeLock.lock();
    }
  }

  // ------------------------------------------------------------------ taking

  @Override
  public T get() throws InterruptedException {
    Object who = HERE;
    T item;
    Events.QueueWait wait = null;
    takeLock.lockInterruptibly();
    try {
      boolean asked = false;
      while (true) {
        boolean held = heldBack(who);
        if (!held && count.get() > 0) {
          break;
        }
        if (!asked && lent.get() > 0) {
          asked = true;
          recallUnlocked();
          continue;
        }
        if (wait == null && Events.recording()) {
          wait = new Events.QueueWait();
          wait.begin();
        }
        (held ? allBack : notEmpty).await();
        asked = false;
      }
      item = dequeue();
    } finally {
      takeLock.unlock();
    }
    taken();
    if (wait != null) {
      wait.gotItem = true;
      wait.commit();
    }
    return item;
  }

  @Override
  public Optional<T> get(Duration timeout) throws InterruptedException {
    return get(HERE, timeout.toNanos());
  }

  /** {@link #get(Duration)} for consumer {@code who}, in nanoseconds. */
  public Optional<T> get(Object who, long nanos) throws InterruptedException {
    T item;
    Events.QueueWait wait = null;
    takeLock.lockInterruptibly();
    try {
      boolean asked = false;
      while (true) {
        boolean held = heldBack(who);
        if (!held && count.get() > 0) {
          break;
        }
        if (nanos <= 0) {
          if (wait != null) {
            wait.commit(); // gotItem stays false: timed out
          }
          return Optional.empty();
        }
        if (!asked && lent.get() > 0) {
          asked = true;
          recallUnlocked();
          continue;
        }
        if (wait == null && Events.recording()) {
          wait = new Events.QueueWait();
          wait.begin();
        }
        nanos = (held ? allBack : notEmpty).awaitNanos(nanos);
        asked = false;
      }
      item = dequeue();
    } finally {
      takeLock.unlock();
    }
    taken();
    if (wait != null) {
      wait.gotItem = true;
      wait.commit();
    }
    return Optional.of(item);
  }

  /**
   * Takes the head item if there is one now. Lent items are not here, but they are not gone
   * either: when they alone could answer, or they hold the others back (another consumer has
   * them), they are recalled and waited for up to {@link #RECLAIM_NANOS}, as {@link #tryPut} waits
   * for reserved slots.
   */
  @Override
  public Optional<T> tryGet() {
    T item = takeNow(HERE);
    if (item != null || lent.get() == 0 && count.get() == 0) {
      return Optional.ofNullable(item);
    }
    try {
      return get(HERE, RECLAIM_NANOS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * Takes the head item for consumer {@code who} if it may have one now; never waits. If lent
   * items are out and it may not (empty, or they hold it back), they are recalled.
   *
   * @return the item, or null
   */
  public T takeNow(Object who) {
    if (count.get() == 0 && lent.get() == 0) {
      return null;
    }
    T item;
    takeLock.lock();
    try {
      if (heldBack(who) || count.get() == 0) {
        item = null;
      } else {
        item = dequeue();
      }
    } finally {
      takeLock.unlock();
    }
    if (item == null) {
      recall(true);
      return null;
    }
    taken();
    return item;
  }

  /**
   * Takes the head item now, or registers {@code taker} to be handed the next item a put brings
   * (see {@link Taker}). Never waits.
   *
   * @return the item, or null if {@code taker} was registered
   */
  public T takeOrWait(Taker<T> taker) {
    return takeOrWait(HERE, taker);
  }

  /** {@link #takeOrWait(Taker)} for consumer {@code who}. */
  public T takeOrWait(Object who, Taker<T> taker) {
    Objects.requireNonNull(taker, "taker");
    T item;
    takeLock.lock();
    try {
      if (heldBack(who) || count.get() == 0) {
        takers.addLast(new Waiting<>(taker, who));
        item = null;
      } else {
        item = dequeue();
      }
    } finally {
      takeLock.unlock();
    }
    if (item == null) {
      recall(true);
      return null;
    }
    taken();
    return item;
  }

  /**
   * Unregisters a taker that {@link #takeOrWait} registered.
   *
   * @return true if it was still waiting (it will not be served); false if it was served already
   */
  public boolean cancel(Taker<T> taker) {
    takeLock.lock();
    try {
      return takers.removeIf(w -> w.taker() == taker);
    } finally {
      takeLock.unlock();
    }
  }

  /** Unlinks the first item. Holds takeLock, and the queue is not empty. */
  private T unlink() {
    Node<T> first = head.next;
    head.next = null; // help the collector
    head = first;
    T item = first.item;
    first.item = null;
    return item;
  }

  /** An item was taken: a slot is free. */
  private void taken() {
    if (bounded() && used.getAndDecrement() == capacity) {
      signalNotFull();
    }
  }

  /**
   * The queue just became non-empty: hand items to the registered takers first, in order, then
   * wake a consumer thread if items are left. The takers are looked at under takeLock, so a taker
   * registering at the same time either sees the item or is seen.
   */
  private void signalNotEmpty() {
    while (true) {
      Handoff<T> h;
      takeLock.lock();
      try {
        h = takers.isEmpty() || count.get() == 0 ? null : serveOne();
        if (h == null) {
          notEmpty.signal();
          return;
        }
      } finally {
        takeLock.unlock();
      }
      serve(h);
    }
  }

  /** An item taken for a registered taker, to be handed over with no lock held. */
  private record Handoff<T>(Taker<T> taker, T item) {}

  /**
   * The next taker, with the head item taken for it, or null if none waits or lent items hold it
   * back. Holds takeLock; the queue is not empty.
   */
  private Handoff<T> serveOne() {
    Waiting<T> w = takers.peekFirst();
    if (w == null || heldBack(w.who())) {
      return null;
    }
    takers.pollFirst();
    T item = unlink();
    count.getAndDecrement();
    return new Handoff<>(w.taker(), item);
  }

  private void serve(Handoff<T> h) {
    taken();
    h.taker().take(h.item());
  }

  private void signalNotFull() {
    putLock.lock();
    try {
      notFull.signal();
    } finally {
      putLock.unlock();
    }
  }

  /**
   * The items here and those lent and not yet received. A consumer reports what it received with
   * its next message, so while items are out it is asked to report now, for the next look.
   */
  @Override
  public int size() {
    int out = lent.get();
    if (out > 0) {
      Lender r = lender;
      Object l = lessee;
      if (r != null && l != null) {
        r.recall(l, false);
      }
    }
    return count.get() + out;
  }

  @Override
  public String toString() {
    return "LocalQueue{size=" + (count.get() + lent.get()) + (capacity == Integer.MAX_VALUE ? "" : ", maxSize=" + capacity) + "}";
  }
}
