package dev.multiproc.process;

import dev.multiproc.Barrier;
import dev.multiproc.Connection;
import dev.multiproc.JoinableQueue;
import dev.multiproc.Lock;
import dev.multiproc.MultiprocException;
import dev.multiproc.Semaphore;
import dev.multiproc.SharedMap;
import dev.multiproc.TaskFunction;
import dev.multiproc.Value;
import dev.multiproc.engine.LocalSharedMap;
import dev.multiproc.engine.Waits;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;

/**
 * Locks, semaphores, barriers, joinable queues, pipe ends, values and shared maps as a child
 * process sees them: proxies whose every call is a {@link Msg#SYNC_OP} request over the child's
 * pipe to the object in the parent ({@link HubSync}); Values and Locks in shared memory are not
 * proxies ({@link SlabValue}, {@link SlabLock}: only a Lock's acquire that must wait asks, through
 * {@link #LOCK_SIDE}). A call that may wait is interruptible (the
 * parent is told to cancel, as for queues); one that cannot is a quick round trip. A thread that is
 * interrupted on entry to a waiting call throws at once, before asking the parent.
 */
final class ChildSync {

  private ChildSync() {}

  /**
   * The proxy for a handle that arrived in this child, told to the parent ({@link ProxyRefs}) so
   * that it keeps the object while the proxy may be used.
   */
  static Object proxy(ProcessSync.Ref r) {
    Object p = make(r);
    ChildChannel.current.refs().created(p, r.id());
    return p;
  }

  private static Object make(ProcessSync.Ref r) {
    return switch (r.kind()) {
      case HubSync.LOCK, HubSync.RLOCK -> new ChildLock(r);
      case HubSync.SEMAPHORE -> new ChildSemaphore(r);
      case HubSync.BARRIER -> new ChildBarrier(r);
      case HubSync.JOINABLE -> new ChildJoinableQueue<>(r);
      case HubSync.PIPE -> new ChildConnection<>(r);
      case HubSync.VALUE -> new ChildValue(r);
      case HubSync.MAP -> new ChildSharedMap<>(r);
      default -> throw new IllegalStateException("unknown object kind " + r.kind());
    };
  }

  /** A {@link SlabLock}'s side in a child: it waits through the parent and releases behind what it sent. */
  static final SlabLock.Side LOCK_SIDE = new SlabLock.Side() {
    @Override
    public boolean await(SlabLock lock, long nanos) throws InterruptedException {
      Buf b = new Buf(32).writeByte(HubSync.SLAB_LOCK).writeByte(HubSync.ACQUIRE).writeVarLong(lock.id())
          .writeVarLong(nanos == Waits.FOREVER ? Msg.WAIT_FOREVER : Msg.encodeWait(nanos));
      return isTrue(waiting(b));
    }

    @Override
    public boolean quiet() {
      return ChildChannel.current.allRead();
    }

    @Override
    public void awaitHandled() {
      ChildChannel.current.awaitHandled();
    }

    @Override
    public void release(SlabLock lock, long word) {
      ChildChannel.current.send(Msg.LOCK_RELEASE, lock.id(), new Buf(8).writeLong(word));
    }
  };

  /**
   * A {@link SlabSemaphore}'s side in a child: it counts the permits it takes itself in its ring's
   * holdings, waits through the parent, and gives back behind what it sent.
   */
  static final SlabSemaphore.Side SEMAPHORE_SIDE = new SlabSemaphore.Side() {
    @Override
    public boolean counts(SlabSemaphore s) {
      return ChildChannel.current.semaphoreEntry(s.id()) >= 0;
    }

    @Override
    public void took(SlabSemaphore s) {
      ChildChannel c = ChildChannel.current;
      c.ring().addHeld(c.semaphoreEntry(s.id()), 1);
      c.awaitHandled(); // what the parent sent before the release it saw comes first
    }

    @Override
    public boolean gaveBack(SlabSemaphore s) {
      ChildChannel c = ChildChannel.current;
      int i = c.semaphoreEntry(s.id());
      return i >= 0 && c.ring().takeHeld(i);
    }

    @Override
    public boolean quiet() {
      return ChildChannel.current.allRead();
    }

    @Override
    public boolean await(SlabSemaphore s, long nanos) throws InterruptedException {
      Buf b = new Buf(32).writeByte(HubSync.SLAB_SEMAPHORE).writeByte(HubSync.ACQUIRE).writeVarLong(s.id())
          .writeVarLong(nanos == Waits.FOREVER ? Msg.WAIT_FOREVER : Msg.encodeWait(nanos));
      return isTrue(nanos == 0 ? now(b) : waiting(b));
    }

    @Override
    public void release(SlabSemaphore s, boolean add, boolean own) {
      ChildChannel.current.send(Msg.SEMAPHORE_RELEASE, s.id(), new Buf(1).writeByte((add ? 1 : 0) | (own ? 2 : 0)));
    }
  };

  private static Buf op(ProcessSync.Ref r, int op, long wait) {
    return new Buf(32).writeByte(r.kind()).writeByte(op).writeVarLong(r.id()).writeVarLong(wait);
  }

  private static long waitOf(Duration timeout) {
    return Msg.encodeWait(Waits.nanos(timeout));
  }

  /** A request answered at once. */
  private static ParentCalls.Reply now(Buf b) {
    return Hub.check(ChildChannel.current.requestNow(Msg.SYNC_OP, b));
  }

  /** A request that may wait in the parent; interruptible. */
  private static ParentCalls.Reply waiting(Buf b) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    return Hub.check(ChildChannel.current.request(Msg.SYNC_OP, b));
  }

  private static boolean isTrue(ParentCalls.Reply r) {
    return r.status == Msg.R_TRUE;
  }

  private static long number(ParentCalls.Reply r) {
    return r.payload.readLong();
  }

  private static byte[] rest(ParentCalls.Reply r) {
    return Arrays.copyOfRange(r.payload.bytes, r.payload.pos, r.payload.end);
  }

  /** Base: the ref, and writing it back when the proxy travels on. */
  private abstract static class Proxy implements Serializable {
    @Serial private static final long serialVersionUID = 1L;
    final ProcessSync.Ref ref;

    Proxy(ProcessSync.Ref ref) {
      this.ref = ref;
    }

    @Serial
    final Object writeReplace() {
      if (Codec.inQueueItem()) {
        ChildChannel.current.refs().pin(ref.id());
      }
      return ref;
    }

    @Override
    public String toString() {
      return getClass().getSimpleName().replace("Child", "") + "#" + ref.id() + " (proxy in child "
          + ProcessHandle.current().pid() + ")";
    }
  }

  static final class ChildLock extends Proxy implements Lock {
    @Serial private static final long serialVersionUID = 1L;

    ChildLock(ProcessSync.Ref ref) {
      super(ref);
    }

    private Buf op(int op, long wait) {
      Buf b = ChildSync.op(ref, op, wait);
      if (ref.kind() == HubSync.RLOCK) {
        b.writeVarLong(Thread.currentThread().threadId());
      }
      return b;
    }

    @Override
    public void acquire() throws InterruptedException {
      waiting(op(HubSync.ACQUIRE, Msg.WAIT_FOREVER));
    }

    @Override
    public boolean acquire(Duration timeout) throws InterruptedException {
      return isTrue(waiting(op(HubSync.ACQUIRE, waitOf(timeout))));
    }

    @Override
    public boolean tryAcquire() {
      return isTrue(now(op(HubSync.ACQUIRE, Msg.encodeWait(0))));
    }

    @Override
    public void release() {
      now(op(HubSync.RELEASE, Msg.encodeWait(0)));
    }
  }

  static final class ChildSemaphore extends Proxy implements Semaphore {
    @Serial private static final long serialVersionUID = 1L;

    ChildSemaphore(ProcessSync.Ref ref) {
      super(ref);
    }

    @Override
    public void acquire() throws InterruptedException {
      waiting(op(ref, HubSync.ACQUIRE, Msg.WAIT_FOREVER));
    }

    @Override
    public boolean acquire(Duration timeout) throws InterruptedException {
      return isTrue(waiting(op(ref, HubSync.ACQUIRE, waitOf(timeout))));
    }

    @Override
    public boolean tryAcquire() {
      return isTrue(now(op(ref, HubSync.ACQUIRE, Msg.encodeWait(0))));
    }

    @Override
    public void release() {
      now(op(ref, HubSync.RELEASE, Msg.encodeWait(0)));
    }

    @Override
    public int available() {
      return (int) number(now(op(ref, HubSync.AVAILABLE, Msg.encodeWait(0))));
    }
  }

  static final class ChildBarrier extends Proxy implements Barrier {
    @Serial private static final long serialVersionUID = 1L;

    ChildBarrier(ProcessSync.Ref ref) {
      super(ref);
    }

    @Override
    public int await() throws InterruptedException, BrokenBarrierException {
      try {
        return await(Msg.WAIT_FOREVER);
      } catch (TimeoutException e) {
        throw new AssertionError("an untimed wait timed out", e);
      }
    }

    @Override
    public int await(Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException {
      return await(waitOf(timeout));
    }

    private int await(long wait) throws InterruptedException, BrokenBarrierException, TimeoutException {
      if (Thread.interrupted()) {
        abort(); // a party interrupted on entry breaks the barrier, as in this JVM
        throw new InterruptedException();
      }
      ParentCalls.Reply r = ChildChannel.current.request(Msg.SYNC_OP, op(ref, HubSync.AWAIT, wait));
      if (r.status == Msg.R_ERROR) {
        Throwable t = Codec.readFailure(r.payload);
        if (t instanceof BrokenBarrierException e) {
          throw e;
        }
        if (t instanceof TimeoutException e) {
          throw e;
        }
        if (t instanceof RuntimeException e) {
          throw e;
        }
        throw new MultiprocException("the parent could not serve the barrier: " + t, t);
      }
      return (int) number(r);
    }

    @Override
    public void reset() {
      now(op(ref, HubSync.RESET, Msg.encodeWait(0)));
    }

    @Override
    public void abort() {
      now(op(ref, HubSync.ABORT, Msg.encodeWait(0)));
    }

    @Override
    public boolean isBroken() {
      return isTrue(now(op(ref, HubSync.IS_BROKEN, Msg.encodeWait(0))));
    }

    @Override
    public int parties() {
      return (int) ref.aux();
    }

    @Override
    public int waiting() {
      return (int) number(now(op(ref, HubSync.WAITING, Msg.encodeWait(0))));
    }
  }

  static final class ChildJoinableQueue<T> extends Proxy implements JoinableQueue<T> {
    @Serial private static final long serialVersionUID = 1L;
    private final ChildQueue<T> queue;

    ChildJoinableQueue(ProcessSync.Ref ref) {
      super(ref);
      this.queue = new ChildQueue<>(ref.backendId(), ref.aux(), ref.capacity());
    }

    /**
     * One-way while this child owes a {@code taskDone} for items it took (the parent cannot find
     * the count at zero then, unless another process called it too often, which the parent
     * reports), and read by the parent when the child has no more to send ({@link
     * ChildChannel.Lent#pay}); otherwise asked, so that one too many throws here, as Python's raises.
     */
    @Override
    public void taskDone() {
      if (!owed().pay(ref.id())) {
        now(op(ref, HubSync.TASK_DONE, Msg.encodeWait(0)));
      }
    }

    private ChildChannel.Lent owed() {
      return ChildChannel.current.lent(ref.aux());
    }

    private T took(T item) {
      owed().owe();
      return item;
    }

    @Override
    public void join() throws InterruptedException {
      waiting(op(ref, HubSync.JOIN, Msg.WAIT_FOREVER));
    }

    @Override
    public boolean join(Duration timeout) throws InterruptedException {
      return isTrue(waiting(op(ref, HubSync.JOIN, waitOf(timeout))));
    }

    @Override
    public void put(T item) throws InterruptedException {
      queue.put(item);
    }

    @Override
    public boolean put(T item, Duration timeout) throws InterruptedException {
      return queue.put(item, timeout);
    }

    @Override
    public boolean tryPut(T item) {
      return queue.tryPut(item);
    }

    @Override
    public T get() throws InterruptedException {
      return took(queue.get());
    }

    @Override
    public Optional<T> get(Duration timeout) throws InterruptedException {
      return queue.get(timeout).map(this::took);
    }

    @Override
    public Optional<T> tryGet() {
      return queue.tryGet().map(this::took);
    }

    @Override
    public int size() {
      return queue.size();
    }
  }

  static final class ChildConnection<T> extends Proxy implements Connection<T> {
    @Serial private static final long serialVersionUID = 1L;

    private transient ChildQueue<T> inbox;
    private transient volatile boolean closedHere;

    ChildConnection(ProcessSync.Ref ref) {
      super(ref);
    }

    private Buf op(int op, long wait) {
      return ChildSync.op(ref, op, wait).writeByte((int) ref.aux());
    }

    /**
     * One-way once a send on this pipe that asked went through, until the parent says an end is
     * closed ({@link Msg#PIPE_BROKEN}); the first, and every one after that, asks, so that a send on
     * a closed pipe throws.
     */
    @Override
    public void send(T item) {
      byte[] b = Codec.encodeValue(Objects.requireNonNull(item, "item"), "pipe item");
      ChildChannel c = ChildChannel.current;
      if (Boolean.TRUE.equals(c.pipe(ref.id()))) {
        c.send(Msg.PIPE_SEND, ref.id(), new Buf(b.length + 8).writeByte((int) ref.aux()).writeBlob(b));
        return;
      }
      try {
        now(op(HubSync.SEND, Msg.encodeWait(0)).writeBlob(b));
      } catch (IllegalStateException e) {
        c.pipeBroken(ref.id());
        throw e;
      }
      c.pipeOpen(ref.id());
    }

    /**
     * Receives through the end's inbox, a hub queue ({@link Hub#pipeInbox}): what the parent lent
     * this child ahead is taken without asking; at the end of what the other end sent, the parent
     * answers with what the end's receive throws.
     */
    @Override
    public T recv() throws InterruptedException {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      checkOpen();
      return inbox().get();
    }

    @Override
    public Optional<T> recv(Duration timeout) throws InterruptedException {
      Objects.requireNonNull(timeout, "timeout");
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      checkOpen();
      return inbox().get(timeout);
    }

    private ChildQueue<T> inbox() {
      ChildQueue<T> q = inbox;
      if (q == null) {
        q = new ChildQueue<>(ref.backendId(), ref.inbox(), 0);
        inbox = q;
      }
      return q;
    }

    private void checkOpen() {
      if (closedHere) {
        throw new IllegalStateException("recv() on the closed " + (ref.aux() == 0 ? "left" : "right") + " end of a pipe");
      }
    }

    @Override
    public boolean poll() {
      return isTrue(now(op(HubSync.POLL, Msg.encodeWait(0))));
    }

    @Override
    public void close() {
      closedHere = true;
      ChildChannel.current.pipeBroken(ref.id());
      now(op(HubSync.CLOSE, Msg.encodeWait(0)));
    }
  }

  static final class ChildValue extends Proxy implements Value {
    @Serial private static final long serialVersionUID = 1L;

    ChildValue(ProcessSync.Ref ref) {
      super(ref);
    }

    private Buf op(int op) {
      return ChildSync.op(ref, op, Msg.encodeWait(0));
    }

    @Override
    public long get() {
      return number(now(op(HubSync.GET)));
    }

    @Override
    public void set(long value) {
      now(op(HubSync.SET).writeLong(value));
    }

    @Override
    public long addAndGet(long delta) {
      return number(now(op(HubSync.ADD_AND_GET).writeLong(delta)));
    }

    @Override
    public long getAndAdd(long delta) {
      return number(now(op(HubSync.GET_AND_ADD).writeLong(delta)));
    }

    @Override
    public boolean compareAndSet(long expected, long newValue) {
      return isTrue(now(op(HubSync.CAS).writeLong(expected).writeLong(newValue)));
    }
  }

  static final class ChildSharedMap<K, V> extends Proxy implements SharedMap<K, V> {
    @Serial private static final long serialVersionUID = 1L;

    ChildSharedMap(ProcessSync.Ref ref) {
      super(ref);
    }

    private Buf op(int op, Object key) {
      Buf b = ChildSync.op(ref, op, Msg.encodeWait(0));
      if (key != null) {
        b.writeBlob(Codec.encodeValue(key, "map key"));
      }
      return b;
    }

    private static byte[] encode(Object v) {
      return Codec.encodeValue(Objects.requireNonNull(v, "value"), "map value");
    }

    @SuppressWarnings("unchecked")
    private V value(ParentCalls.Reply r) {
      return r.status == Msg.R_VALUE ? (V) Codec.decodeValue(rest(r)) : null;
    }

    @Override
    public V get(K key) {
      return value(now(op(HubSync.GET, Objects.requireNonNull(key, "key"))));
    }

    @Override
    public V put(K key, V value) {
      Objects.requireNonNull(key, "key");
      return value(now(op(HubSync.PUT, key).writeBlob(encode(value))));
    }

    @Override
    public V putIfAbsent(K key, V value) {
      Objects.requireNonNull(key, "key");
      return value(now(op(HubSync.PUT_IF_ABSENT, key).writeBlob(encode(value))));
    }

    @Override
    public V remove(K key) {
      return value(now(op(HubSync.REMOVE, Objects.requireNonNull(key, "key"))));
    }

    @Override
    public boolean containsKey(K key) {
      return isTrue(now(op(HubSync.CONTAINS, Objects.requireNonNull(key, "key"))));
    }

    @Override
    public int size() {
      return (int) number(now(op(HubSync.SIZE, null)));
    }

    @Override
    public void clear() {
      now(op(HubSync.CLEAR, null));
    }

    /** Optimistic: read, apply here, replace if the entry is still what was read; else again. */
    @SuppressWarnings("unchecked")
    @Override
    public V compute(K key, TaskFunction<? super V, ? extends V> update) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(update, "update");
      while (true) {
        ParentCalls.Reply r = now(op(HubSync.GET, key));
        byte[] current = r.status == Msg.R_VALUE ? rest(r) : null;
        V old = current == null ? null : (V) Codec.decodeValue(current);
        V next;
        try {
          next = update.apply(old);
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw LocalSharedMap.failed(e);
        }
        Buf b = op(HubSync.REPLACE, key);
        if (current == null) {
          b.writeByte(0);
        } else {
          b.writeByte(1).writeBlob(current);
        }
        if (next == null) {
          b.writeByte(0);
        } else {
          b.writeByte(1).writeBlob(encode(next));
        }
        if (isTrue(now(b))) {
          return next;
        }
      }
    }

    @SuppressWarnings("unchecked")
    @Override
    public Map<K, V> snapshot() {
      ParentCalls.Reply r = now(op(HubSync.SNAPSHOT, null));
      int n = (int) r.payload.readVarLong();
      Map<K, V> copy = new HashMap<>();
      for (int i = 0; i < n; i++) {
        copy.put((K) Codec.decodeValue(r.payload.readBlob()), (V) Codec.decodeValue(r.payload.readBlob()));
      }
      return copy;
    }
  }
}
