package dev.multiproc.process;

import dev.multiproc.Barrier;
import dev.multiproc.Connection;
import dev.multiproc.JoinableQueue;
import dev.multiproc.Lock;
import dev.multiproc.Pipe;
import dev.multiproc.Semaphore;
import dev.multiproc.SharedMap;
import dev.multiproc.TaskFunction;
import dev.multiproc.Value;
import dev.multiproc.engine.LocalBarrier;
import dev.multiproc.engine.LocalConnection;
import dev.multiproc.engine.LocalJoinableQueue;
import dev.multiproc.engine.LocalSemaphore;
import dev.multiproc.engine.LocalSharedMap;
import dev.multiproc.engine.LocalValue;
import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;

/**
 * The process backend's locks, semaphores, barriers, joinable queues, pipes, values and shared
 * maps as the parent sees them: thin handles over the engine's {@code Local*} objects that
 * {@link HubSync} also serves to children. Sent to a child (captured by a task, put on a queue),
 * a handle travels as a {@link Ref} and reads back there as a {@link ChildSync} proxy; read back in
 * the parent, as the handle itself. Items and values are kept encoded, so what a reader gets is a
 * copy wherever it runs.
 */
final class ProcessSync {

  private ProcessSync() {}

  /** A handle goes inside a queue item here: the hub keeps its object for good (see {@link Hub#pin}). */
  private static void pin(long backendId, long id) {
    if (Codec.inQueueItem()) {
      Hub.pin(backendId, id);
    }
  }

  /**
   * What a handle becomes on the wire: its {@link HubSync} kind, its id in the hub, {@code aux}
   * (the pipe end, 0 left and 1 right, or a joinable queue's queue id) and a joinable queue's
   * capacity. A class, not a record, as {@link QueueRef} says.
   */
  static final class Ref implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final long backendId;
    private final int kind;
    private final long id;
    private final long aux;
    private final int capacity;
    private final long inbox;

    Ref(long backendId, int kind, long id, long aux, int capacity) {
      this(backendId, kind, id, aux, capacity, 0);
    }

    /** @param inbox a pipe end's inbox queue ({@link Hub#pipeInbox}) */
    Ref(long backendId, int kind, long id, long aux, int capacity, long inbox) {
      this.backendId = backendId;
      this.kind = kind;
      this.id = id;
      this.aux = aux;
      this.capacity = capacity;
      this.inbox = inbox;
    }

    long inbox() {
      return inbox;
    }

    long backendId() {
      return backendId;
    }

    int kind() {
      return kind;
    }

    long id() {
      return id;
    }

    long aux() {
      return aux;
    }

    int capacity() {
      return capacity;
    }

    @Serial
    private Object readResolve() throws ObjectStreamException {
      if (ChildChannel.current != null) {
        return ChildSync.proxy(this);
      }
      HubSync sync = Hub.sync(backendId);
      Object o = sync == null ? null : sync.handle(this);
      if (o == null) {
        throw new InvalidObjectException("object #" + id + " no longer exists: the process backend that made it is closed,"
            + " or no handle to it was left");
      }
      return o instanceof PPipe<?> p ? p.handle((int) aux) : o;
    }
  }

  /** A Lock or an RLock. */
  static final class PLock implements Lock, Serializable {
    @Serial private static final long serialVersionUID = 1L;
    final transient Lock local; // a LocalLock or LocalRLock
    final int kind;
    private final long backendId;
    private final long id;

    PLock(long backendId, int kind, long id, Lock local) {
      this.backendId = backendId;
      this.kind = kind;
      this.id = id;
      this.local = local;
    }

    @Override
    public void acquire() throws InterruptedException {
      local.acquire();
    }

    @Override
    public boolean acquire(Duration timeout) throws InterruptedException {
      return local.acquire(timeout);
    }

    @Override
    public boolean tryAcquire() {
      return local.tryAcquire();
    }

    @Override
    public void release() {
      local.release();
    }

    @Serial
    private Object writeReplace() {
      pin(backendId, id);
      return new Ref(backendId, kind, id, 0, 0);
    }

    @Override
    public String toString() {
      return (kind == HubSync.RLOCK ? "RLock#" : "Lock#") + id + " " + local;
    }
  }

  static final class PSemaphore implements Semaphore, Serializable {
    @Serial private static final long serialVersionUID = 1L;
    final transient LocalSemaphore local;
    private final long backendId;
    private final long id;

    PSemaphore(long backendId, long id, LocalSemaphore local) {
      this.backendId = backendId;
      this.id = id;
      this.local = local;
    }

    @Override
    public void acquire() throws InterruptedException {
      local.acquire();
    }

    @Override
    public boolean acquire(Duration timeout) throws InterruptedException {
      return local.acquire(timeout);
    }

    @Override
    public boolean tryAcquire() {
      return local.tryAcquire();
    }

    @Override
    public void release() {
      local.release();
    }

    @Override
    public int available() {
      return local.available();
    }

    @Serial
    private Object writeReplace() {
      pin(backendId, id);
      return new Ref(backendId, HubSync.SEMAPHORE, id, 0, 0);
    }

    @Override
    public String toString() {
      return "Semaphore#" + id + " " + local;
    }
  }

  static final class PBarrier implements Barrier, Serializable {
    @Serial private static final long serialVersionUID = 1L;
    final transient LocalBarrier local;
    private final long backendId;
    private final long id;

    PBarrier(long backendId, long id, LocalBarrier local) {
      this.backendId = backendId;
      this.id = id;
      this.local = local;
    }

    @Override
    public int await() throws InterruptedException, BrokenBarrierException {
      return local.await();
    }

    @Override
    public int await(Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException {
      return local.await(timeout);
    }

    @Override
    public void reset() {
      local.reset();
    }

    @Override
    public void abort() {
      local.abort();
    }

    @Override
    public boolean isBroken() {
      return local.isBroken();
    }

    @Override
    public int parties() {
      return local.parties();
    }

    @Override
    public int waiting() {
      return local.waiting();
    }

    @Serial
    private Object writeReplace() {
      pin(backendId, id);
      return new Ref(backendId, HubSync.BARRIER, id, local.parties(), 0);
    }

    @Override
    public String toString() {
      return "Barrier#" + id + " " + local;
    }
  }

  /** A joinable queue: its items in a hub queue (served as any queue), its count here. */
  static final class PJoinableQueue<T> implements JoinableQueue<T>, Serializable {
    @Serial private static final long serialVersionUID = 1L;
    final transient LocalJoinableQueue<Object> local;
    private final transient ProcessQueue<T> queue;
    private final long backendId;
    private final long id;
    private final int maxSize;

    PJoinableQueue(long backendId, long id, LocalJoinableQueue<Object> local, ProcessQueue<T> queue, int maxSize) {
      this.backendId = backendId;
      this.id = id;
      this.local = local;
      this.queue = queue;
      this.maxSize = maxSize;
    }

    @Override
    public void taskDone() {
      local.taskDone();
    }

    @Override
    public void join() throws InterruptedException {
      local.join();
    }

    @Override
    public boolean join(Duration timeout) throws InterruptedException {
      return local.join(timeout);
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
      return queue.get();
    }

    @Override
    public Optional<T> get(Duration timeout) throws InterruptedException {
      return queue.get(timeout);
    }

    @Override
    public Optional<T> tryGet() {
      return queue.tryGet();
    }

    @Override
    public int size() {
      return queue.size();
    }

    @Serial
    private Object writeReplace() {
      pin(backendId, id);
      return new Ref(backendId, HubSync.JOINABLE, id, queue.id, maxSize);
    }

    @Override
    public String toString() {
      return "JoinableQueue#" + id + "{size=" + size() + ", unfinished=" + local.unfinished() + "}";
    }
  }

  /** A pipe: two ends of encoded items. */
  static final class PPipe<T> {
    private final long backendId;
    private final long id;
    private final LocalConnection<byte[]> left;
    private final LocalConnection<byte[]> right;
    private final long leftInbox;
    private final long rightInbox;
    final Pipe<T> pipe;

    PPipe(long backendId, long id, Pipe<byte[]> ends, long leftInbox, long rightInbox) {
      this.backendId = backendId;
      this.id = id;
      this.left = (LocalConnection<byte[]>) ends.left();
      this.right = (LocalConnection<byte[]>) ends.right();
      this.leftInbox = leftInbox;
      this.rightInbox = rightInbox;
      this.pipe = new Pipe<>(new PConnection<>(this, 0), new PConnection<>(this, 1));
    }

    LocalConnection<byte[]> end(int end) {
      return end == 0 ? left : right;
    }

    Connection<T> handle(int end) {
      return end == 0 ? pipe.left() : pipe.right();
    }
  }

  static final class PConnection<T> implements Connection<T>, Serializable {
    @Serial private static final long serialVersionUID = 1L;
    private final transient PPipe<T> pipe;
    private final transient LocalConnection<byte[]> local;
    private final int end;

    PConnection(PPipe<T> pipe, int end) {
      this.pipe = pipe;
      this.end = end;
      this.local = pipe.end(end);
    }

    @Override
    public void send(T item) {
      byte[] b = Codec.encodeValue(Objects.requireNonNull(item, "item"), "pipe item");
      local.send(b);
    }

    @Override
    public T recv() throws InterruptedException {
      ParentWaits.begin();
      try {
        return decode(local.recv());
      } finally {
        ParentWaits.end();
      }
    }

    @Override
    public Optional<T> recv(Duration timeout) throws InterruptedException {
      ParentWaits.begin();
      try {
        return local.recv(timeout).map(this::decode);
      } finally {
        ParentWaits.end();
      }
    }

    @SuppressWarnings("unchecked")
    private T decode(byte[] b) {
      return (T) Codec.decodeValue(b);
    }

    @Override
    public boolean poll() {
      return local.poll();
    }

    @Override
    public void close() {
      local.close();
    }

    @Serial
    private Object writeReplace() {
      pin(pipe.backendId, pipe.id);
      return new Ref(pipe.backendId, HubSync.PIPE, pipe.id, end, 0, end == 0 ? pipe.leftInbox : pipe.rightInbox);
    }

    @Override
    public String toString() {
      return "Pipe#" + pipe.id + "." + (end == 0 ? "left" : "right") + (local.isClosed() ? " (closed)" : "");
    }
  }

  static final class PValue implements Value, Serializable {
    @Serial private static final long serialVersionUID = 1L;
    final transient LocalValue local;
    private final long backendId;
    private final long id;

    PValue(long backendId, long id, LocalValue local) {
      this.backendId = backendId;
      this.id = id;
      this.local = local;
    }

    @Override
    public long get() {
      return local.get();
    }

    @Override
    public void set(long value) {
      local.set(value);
    }

    @Override
    public long addAndGet(long delta) {
      return local.addAndGet(delta);
    }

    @Override
    public long getAndAdd(long delta) {
      return local.getAndAdd(delta);
    }

    @Override
    public boolean compareAndSet(long expected, long newValue) {
      return local.compareAndSet(expected, newValue);
    }

    @Serial
    private Object writeReplace() {
      pin(backendId, id);
      return new Ref(backendId, HubSync.VALUE, id, 0, 0);
    }

    @Override
    public String toString() {
      return "Value#" + id + "{" + get() + "}";
    }
  }

  /** A shared map: keys as objects (equal keys from any JVM meet), values encoded. */
  static final class PSharedMap<K, V> implements SharedMap<K, V>, Serializable {
    @Serial private static final long serialVersionUID = 1L;
    final transient LocalSharedMap<Object, byte[]> local;
    private final long backendId;
    private final long id;

    PSharedMap(long backendId, long id, LocalSharedMap<Object, byte[]> local) {
      this.backendId = backendId;
      this.id = id;
      this.local = local;
    }

    private static byte[] encode(Object v) {
      return Codec.encodeValue(Objects.requireNonNull(v, "value"), "map value");
    }

    @SuppressWarnings("unchecked")
    private V decode(byte[] b) {
      return b == null ? null : (V) Codec.decodeValue(b);
    }

    private static Object key(Object k) {
      // a copy, as a child's key would be: a key changed later by the caller does not move the entry
      return Codec.decodeValue(Codec.encodeValue(Objects.requireNonNull(k, "key"), "map key"));
    }

    @Override
    public V get(K key) {
      return decode(local.get(Objects.requireNonNull(key, "key")));
    }

    @Override
    public V put(K key, V value) {
      return decode(local.put(key(key), encode(value)));
    }

    @Override
    public V putIfAbsent(K key, V value) {
      return decode(local.putIfAbsent(key(key), encode(value)));
    }

    @Override
    public V remove(K key) {
      return decode(local.remove(Objects.requireNonNull(key, "key")));
    }

    @Override
    public boolean containsKey(K key) {
      return local.containsKey(Objects.requireNonNull(key, "key"));
    }

    @Override
    public int size() {
      return local.size();
    }

    @Override
    public void clear() {
      local.clear();
    }

    @Override
    public V compute(K key, TaskFunction<? super V, ? extends V> update) {
      Objects.requireNonNull(update, "update");
      Object k = key(key);
      byte[] b = local.compute(k, old -> {
        V v = update.apply(decode(old));
        return v == null ? null : encode(v);
      });
      return decode(b);
    }

    @SuppressWarnings("unchecked")
    @Override
    public Map<K, V> snapshot() {
      Map<K, V> copy = new HashMap<>();
      for (Map.Entry<Object, byte[]> e : local.map().entrySet()) {
        copy.put((K) e.getKey(), decode(e.getValue()));
      }
      return copy;
    }

    @Serial
    private Object writeReplace() {
      pin(backendId, id);
      return new Ref(backendId, HubSync.MAP, id, 0, 0);
    }

    @Override
    public String toString() {
      return "SharedMap#" + id + "{size=" + size() + "}";
    }
  }
}
