package dev.multiproc.thread;

import dev.multiproc.Backend;
import dev.multiproc.Event;
import dev.multiproc.NotShippableException;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Task;
import dev.multiproc.TaskCallable;
import dev.multiproc.TaskFunction;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.engine.LocalBackend;
import dev.multiproc.spi.BackendConfig;
import dev.multiproc.spi.BackendProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The thread backend, except that every task, function and initializer, and every queue item, is
 * copied through Java serialization before use, as it would be on its way to a child JVM. Queue
 * and event handles inside a task stay the same objects (as a child's proxies reach the parent's
 * hub). Used to prove that the conformance kit's tasks capture only what can travel: no test
 * instance, no shared mutable state.
 */
final class ShippingBackend implements Backend {

  /** Opens a {@link ShippingBackend} over a fresh thread backend. Not registered with ServiceLoader. */
  static final class Provider implements BackendProvider {
    @Override
    public String name() {
      return ThreadBackendProvider.NAME;
    }

    @Override
    public int priority() {
      return 10;
    }

    @Override
    public Backend open(BackendConfig config) {
      return new ShippingBackend((LocalBackend) new ThreadBackendProvider().open(config));
    }
  }

  private final LocalBackend delegate;

  private ShippingBackend(LocalBackend delegate) {
    this.delegate = delegate;
  }

  /** @return the thread backend underneath */
  LocalBackend delegate() {
    return delegate;
  }

  /** A handle replaced during serialization, resolved to the same object afterwards. */
  private record Handle(int index) implements Serializable {}

  /** A copy of {@code value} made by serializing and deserializing it. */
  @SuppressWarnings("unchecked")
  static <T> T ship(T value) {
    if (value == null) {
      return null;
    }
    List<Object> handles = new ArrayList<>();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new HandleReplacingOutput(bytes, handles)) {
      out.writeObject(value);
    } catch (IOException e) {
      throw new NotShippableException("cannot ship " + value + ": " + e, e);
    }
    try (ObjectInputStream in = new HandleResolvingInput(new ByteArrayInputStream(bytes.toByteArray()), handles)) {
      return (T) in.readObject();
    } catch (IOException | ClassNotFoundException e) {
      throw new NotShippableException("cannot rebuild " + value + ": " + e, e);
    }
  }

  private static final class HandleReplacingOutput extends ObjectOutputStream {
    private final List<Object> handles;

    HandleReplacingOutput(ByteArrayOutputStream bytes, List<Object> handles) throws IOException {
      super(bytes);
      this.handles = handles;
      enableReplaceObject(true);
    }

    @Override
    protected Object replaceObject(Object obj) {
      if (obj instanceof Queue<?> || obj instanceof Event) {
        handles.add(obj);
        return new Handle(handles.size() - 1);
      }
      return obj;
    }
  }

  private static final class HandleResolvingInput extends ObjectInputStream {
    private final List<Object> handles;

    HandleResolvingInput(ByteArrayInputStream bytes, List<Object> handles) throws IOException {
      super(bytes);
      this.handles = handles;
      enableResolveObject(true);
    }

    @Override
    protected Object resolveObject(Object obj) {
      return obj instanceof Handle h ? handles.get(h.index()) : obj;
    }
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Pool newPool(PoolOptions options) {
    PoolOptions shipped = options;
    if (options != null && options.initializer().isPresent()) {
      shipped = options.toBuilder().initializer(ship(options.initializer().get())).build();
    }
    return new ShippingPool(delegate.newPool(shipped));
  }

  @Override
  public <T> Queue<T> newQueue(int maxSize) {
    return new ShippingQueue<>(delegate.newQueue(maxSize));
  }

  @Override
  public Event newEvent() {
    return delegate.newEvent();
  }

  @Override
  public Worker newWorker(Task task, WorkerOptions options) {
    return delegate.newWorker(ship(task), options);
  }

  @Override
  public void close() {
    delegate.close();
  }

  private record ShippingPool(Pool delegate) implements Pool {
    @Override
    public <T, R> List<R> map(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
      return delegate.map(ship(fn), items);
    }

    @Override
    public <T, R> List<R> map(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int chunkSize) {
      return delegate.map(ship(fn), items, chunkSize);
    }

    @Override
    public <T, R> Iterator<R> imap(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
      return delegate.imap(ship(fn), items);
    }

    @Override
    public <T, R> Iterator<R> imapUnordered(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
      return delegate.imapUnordered(ship(fn), items);
    }

    @Override
    public <R> CompletableFuture<R> submit(TaskCallable<R> task) {
      return delegate.submit(ship(task));
    }

    @Override
    public <T, R> CompletableFuture<List<R>> mapAsync(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
      return delegate.mapAsync(ship(fn), items);
    }

    @Override
    public java.util.concurrent.ExecutorService asExecutorService() {
      return delegate.asExecutorService(); // not shipped: the kit's executor suite does not run on this wrapper
    }

    @Override
    public int workers() {
      return delegate.workers();
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public void terminate() {
      delegate.terminate();
    }
  }

  private record ShippingQueue<T>(Queue<T> delegate) implements Queue<T> {
    @Override
    public void put(T item) throws InterruptedException {
      delegate.put(ship(item));
    }

    @Override
    public boolean put(T item, Duration timeout) throws InterruptedException {
      return delegate.put(ship(item), timeout);
    }

    @Override
    public boolean tryPut(T item) {
      return delegate.tryPut(ship(item));
    }

    @Override
    public T get() throws InterruptedException {
      return delegate.get();
    }

    @Override
    public Optional<T> get(Duration timeout) throws InterruptedException {
      return delegate.get(timeout);
    }

    @Override
    public Optional<T> tryGet() {
      return delegate.tryGet();
    }

    @Override
    public int size() {
      return delegate.size();
    }
  }
}
