package dev.multiproc;

import dev.multiproc.spi.BackendConfig;
import dev.multiproc.spi.BackendProvider;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The entry point, like Python's {@code multiprocessing} module: pools, queues, events, workers,
 * locks, semaphores, barriers, pipes, shared values and maps on the backend chosen by configuration.
 *
 * <h2>Usage</h2>
 *
 * <pre>{@code
 * try (Pool pool = Multiproc.pool(8)) {
 *   List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));
 * }
 * Queue<String> q = Multiproc.queue();
 * Worker w = Multiproc.worker(() -> q.put("hello from a worker")).start();
 * System.out.println(q.get());
 * w.join();
 * }</pre>
 *
 * <h2>Which backend</h2>
 *
 * The default backend is chosen once, on first use; the first match wins:
 *
 * <ol>
 *   <li>the system property {@code multiproc.backend} ({@code -Dmultiproc.backend=process});
 *   <li>the environment variable {@code MULTIPROC_BACKEND};
 *   <li>{@code multiproc.backend=} in a {@code multiproc.properties} resource on the class path;
 *   <li>the only backend on the class path, or else the one with the highest priority of at least
 *       0 ({@code virtual-thread} before {@code thread}; {@code process} and {@code hazelcast} are
 *       used only when configured or alone).
 * </ol>
 *
 * The choice and its reason are logged once (logger {@code dev.multiproc}, level DEBUG). A wrong or
 * missing backend fails with a {@link BackendNotFoundException} that says what to do.
 *
 * <p>Backends returned by {@link #backend()} and {@link #backend(String)} are shared: opened on
 * first use, closed when the JVM exits. Closing one yourself ends everything it made; later calls
 * then fail with {@link IllegalStateException}. For a backend of your own, with its own workers and
 * settings read afresh, use {@link #open(String)} (or {@link #open()}) and close it yourself.
 * {@link #providers()} and {@link #defaultChoice()} show what is on the class path and what would
 * be chosen, opening nothing. Everything here is thread-safe.
 */
public final class Multiproc {

  /**
   * The library's logger, made on first use: getting a logger starts the logging framework
   * ({@code java.util.logging}, 15-40 ms of a JVM's start), which a program that opens a backend by
   * name and logs nothing should not pay.
   */
  static final class Log {
    static final System.Logger LOG = System.getLogger("dev.multiproc");

    private Log() {}
  }

  private static final ReentrantLock LOCK = new ReentrantLock();
  private static final Map<String, Backend> SHARED = new HashMap<>();
  private static Backend defaultBackend;
  private static boolean hookInstalled;
  private static boolean settingsChecked;

  private Multiproc() {}

  /**
   * The default backend, chosen as described above, opened on first use.
   *
   * @return the shared default backend
   * @throws BackendNotFoundException if the configured backend is not on the class path, there is
   *     none, or none can be chosen
   */
  public static Backend backend() {
    LOCK.lock();
    try {
      if (defaultBackend == null) {
        BackendSelection.Providers providers = loadProviders();
        BackendSelection.Choice choice = BackendSelection.chooseDefault(providers, BackendConfig::lookup);
        Log.LOG.log(verbose() ? Level.INFO : Level.DEBUG,
            () -> "multiproc backend: " + choice.provider().name() + " (" + choice.reason() + ")");
        defaultBackend = shared(choice.provider());
      }
      return defaultBackend;
    } finally {
      LOCK.unlock();
    }
  }

  /**
   * The backend called {@code name}, opened on first use: Python's
   * {@code multiprocessing.get_context(name)}.
   *
   * @param name {@code thread}, {@code virtual-thread}, {@code process}, {@code hazelcast}, or the
   *     name of another provider on the class path
   * @return the shared backend of that name
   * @throws NullPointerException if {@code name} is null
   * @throws BackendNotFoundException if no provider on the class path has that name
   */
  public static Backend backend(String name) {
    Objects.requireNonNull(name, "name");
    LOCK.lock();
    try {
      Backend b = SHARED.get(name);
      if (b != null) {
        return b;
      }
      return shared(BackendSelection.named(loadProviders(), name, "Multiproc.backend(\"" + name + "\")"));
    } finally {
      LOCK.unlock();
    }
  }

  /**
   * Opens a new backend of the configured default kind (chosen as {@link #backend()} chooses), owned
   * by the caller: it is not shared, not closed at JVM exit by multiproc, and ends everything it
   * made when the caller closes it.
   *
   * <pre>{@code
   * try (Backend mine = Multiproc.open()) {
   *   try (Pool pool = mine.newPool(PoolOptions.defaults())) { ... }
   * }
   * }</pre>
   *
   * @return a new open backend; close it
   * @throws BackendNotFoundException as {@link #backend()}
   */
  public static Backend open() {
    BackendProvider p = BackendSelection.chooseDefault(loadProviders(), BackendConfig::lookup).provider();
    LOCK.lock();
    try {
      checkSettingsOnce();
    } finally {
      LOCK.unlock();
    }
    return p.open(BackendConfig.load(p.name()));
  }

  /**
   * Opens a new backend called {@code name}, owned by the caller (see {@link #open()}).
   *
   * @param name {@code thread}, {@code virtual-thread}, {@code process}, {@code hazelcast}, or the
   *     name of another provider on the class path
   * @return a new open backend; close it
   * @throws NullPointerException if {@code name} is null
   * @throws BackendNotFoundException if no provider on the class path has that name; the message
   *     lists those that do and names the artifact to add
   */
  public static Backend open(String name) {
    Objects.requireNonNull(name, "name");
    return BackendSelection.named(loadProviders(), name, "Multiproc.open(\"" + name + "\")")
        .open(BackendConfig.load(name));
  }

  /**
   * The backend providers on the class path, highest priority first (then by name), each marked if
   * it is the one {@link #backend()} would use. Constructs providers (cheap); opens nothing.
   *
   * @return the providers; empty if there is none
   * @throws BackendNotFoundException if two providers declare the same name
   */
  public static List<BackendInfo> providers() {
    BackendSelection.Providers found = loadProviders();
    String chosen;
    try {
      chosen = BackendSelection.chooseDefault(found, BackendConfig::lookup).provider().name();
    } catch (BackendNotFoundException e) {
      chosen = null;
    }
    List<BackendInfo> out = new ArrayList<>();
    for (BackendProvider p : found.byName().values()) {
      out.add(new BackendInfo(p.name(), p.priority(), p.getClass().getName(), p.name().equals(chosen)));
    }
    out.sort(Comparator.comparingInt(BackendInfo::priority).reversed().thenComparing(BackendInfo::name));
    return List.copyOf(out);
  }

  /**
   * Which backend {@link #backend()} would use, and why, without opening it.
   *
   * @return the choice
   * @throws BackendNotFoundException if none can be chosen; the message says what to do
   */
  public static BackendChoice defaultChoice() {
    BackendSelection.Choice c = BackendSelection.chooseDefault(loadProviders(), BackendConfig::lookup);
    return new BackendChoice(c.provider().name(), c.reason());
  }

  /**
   * The names of the backends on the class path. Starts nothing.
   *
   * @return the names, sorted
   * @throws BackendNotFoundException if two providers declare the same name
   */
  public static Set<String> availableBackends() {
    return loadProviders().names();
  }

  /**
   * A pool with one worker per available processor on the default backend: Python's {@code Pool()}.
   *
   * @return a new running pool; close it
   */
  public static Pool pool() {
    return backend().newPool(PoolOptions.defaults());
  }

  /**
   * A pool on the default backend: Python's {@code Pool(workers)}.
   *
   * @param workers the number of workers, at least 1
   * @return a new running pool; close it
   * @throws IllegalArgumentException if {@code workers} is less than 1
   */
  public static Pool pool(int workers) {
    PoolOptions options = PoolOptions.builder().workers(workers).build();
    return backend().newPool(options);
  }

  /**
   * A pool on the default backend.
   *
   * @param options the pool's settings
   * @return a new running pool; close it
   */
  public static Pool pool(PoolOptions options) {
    Objects.requireNonNull(options, "options");
    return backend().newPool(options);
  }

  /**
   * An unbounded queue on the default backend: Python's {@code Queue()}.
   *
   * @param <T> the item type
   * @return a new queue
   */
  public static <T> Queue<T> queue() {
    return backend().newQueue(0);
  }

  /**
   * A queue on the default backend: Python's {@code Queue(maxsize)}.
   *
   * @param maxSize the capacity; 0 means unbounded
   * @param <T> the item type
   * @return a new queue
   * @throws IllegalArgumentException if {@code maxSize} is negative
   */
  public static <T> Queue<T> queue(int maxSize) {
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize must be 0 (unbounded) or positive, got " + maxSize);
    }
    return backend().newQueue(maxSize);
  }

  /**
   * An event on the default backend: Python's {@code Event()}.
   *
   * @return a new event, not set
   */
  public static Event event() {
    return backend().newEvent();
  }

  /**
   * A lock on the default backend: Python's {@code Lock()}.
   *
   * @return a new unlocked, non-reentrant lock
   */
  public static Lock lock() {
    return backend().newLock();
  }

  /**
   * A reentrant lock on the default backend: Python's {@code RLock()}.
   *
   * @return a new unlocked reentrant lock
   */
  public static Lock rlock() {
    return backend().newRLock();
  }

  /**
   * A semaphore on the default backend: Python's {@code Semaphore(permits)}.
   *
   * @param permits the initial permits, 0 or more
   * @return a new semaphore
   * @throws IllegalArgumentException if {@code permits} is negative
   */
  public static Semaphore semaphore(int permits) {
    return backend().newSemaphore(checkPermits(permits));
  }

  /**
   * A bounded semaphore on the default backend: Python's {@code BoundedSemaphore(permits)}.
   *
   * @param permits the initial and greatest permits, 0 or more
   * @return a new semaphore
   * @throws IllegalArgumentException if {@code permits} is negative
   */
  public static Semaphore boundedSemaphore(int permits) {
    return backend().newBoundedSemaphore(checkPermits(permits));
  }

  private static int checkPermits(int permits) {
    if (permits < 0) {
      throw new IllegalArgumentException("permits must be 0 or more, got " + permits);
    }
    return permits;
  }

  /**
   * A barrier on the default backend: Python's {@code Barrier(parties)}.
   *
   * @param parties the number of parties, at least 1
   * @return a new barrier
   * @throws IllegalArgumentException if {@code parties} is less than 1
   */
  public static Barrier barrier(int parties) {
    if (parties < 1) {
      throw new IllegalArgumentException("parties must be at least 1, got " + parties);
    }
    return backend().newBarrier(parties);
  }

  /**
   * An unbounded joinable queue on the default backend: Python's {@code JoinableQueue()}.
   *
   * @param <T> the item type
   * @return a new queue
   */
  public static <T> JoinableQueue<T> joinableQueue() {
    return backend().newJoinableQueue(0);
  }

  /**
   * A joinable queue on the default backend: Python's {@code JoinableQueue(maxsize)}.
   *
   * @param maxSize the capacity; 0 means unbounded
   * @param <T> the item type
   * @return a new queue
   * @throws IllegalArgumentException if {@code maxSize} is negative
   */
  public static <T> JoinableQueue<T> joinableQueue(int maxSize) {
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize must be 0 (unbounded) or positive, got " + maxSize);
    }
    return backend().newJoinableQueue(maxSize);
  }

  /**
   * A duplex pipe on the default backend: Python's {@code Pipe()}.
   *
   * @param <T> the item type
   * @return a new pipe
   */
  public static <T> Pipe<T> pipe() {
    return backend().newPipe();
  }

  /**
   * A shared {@code long} on the default backend: Python's {@code Value('q', initial)}.
   *
   * @param initial the initial value
   * @return a new value
   */
  public static Value value(long initial) {
    return backend().newValue(initial);
  }

  /**
   * A shared map on the default backend: Python's {@code Manager().dict()}.
   *
   * @param <K> the key type
   * @param <V> the value type
   * @return a new empty map
   */
  public static <K, V> SharedMap<K, V> sharedMap() {
    return backend().newSharedMap();
  }

  /**
   * A worker on the default backend: Python's {@code Process(target=task)}. Not started.
   *
   * @param task the worker's body
   * @return a new worker; call {@link Worker#start()}
   */
  public static Worker worker(Task task) {
    Objects.requireNonNull(task, "task");
    return backend().newWorker(task, WorkerOptions.defaults());
  }

  /**
   * A worker on the default backend. Not started.
   *
   * @param task the worker's body
   * @param options the worker's settings
   * @return a new worker; call {@link Worker#start()}
   */
  public static Worker worker(Task task, WorkerOptions options) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(options, "options");
    return backend().newWorker(task, options);
  }

  private static BackendSelection.Providers loadProviders() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return BackendSelection.Providers.load(loader != null ? loader : Multiproc.class.getClassLoader());
  }

  /** Whether {@code multiproc.verbose=true}: the backend choice is logged at INFO, not DEBUG. */
  private static boolean verbose() {
    return BackendConfig.lookup("multiproc.verbose").map(v -> v.value().equalsIgnoreCase("true")).orElse(false);
  }

  /** Warns once about settings that nothing reads (a misspelt key), naming the likely one. */
  private static void checkSettingsOnce() {
    if (settingsChecked) {
      return;
    }
    settingsChecked = true;
    try {
      List<String> env = System.getenv().keySet().stream().filter(k -> k.startsWith("MULTIPROC_")).toList();
      for (String m : ConfigCheck.unknown(BackendConfig.allKeys(), env, loadProviders().byName().values())) {
        Log.LOG.log(Level.WARNING, m);
      }
    } catch (RuntimeException e) {
      Log.LOG.log(Level.DEBUG, "checking the multiproc settings failed", e);
    }
  }

  /** Opens and registers the shared backend of {@code provider}; LOCK is held. */
  private static Backend shared(BackendProvider provider) {
    Backend b = SHARED.get(provider.name());
    if (b == null) {
      checkSettingsOnce();
      b = provider.open(BackendConfig.load(provider.name()));
      SHARED.put(provider.name(), b);
      if (!hookInstalled) {
        Runtime.getRuntime().addShutdownHook(new Thread(Multiproc::closeShared, "multiproc-shutdown"));
        hookInstalled = true;
      }
    }
    return b;
  }

  private static void closeShared() {
    Backend[] backends;
    LOCK.lock();
    try {
      backends = SHARED.values().toArray(Backend[]::new);
    } finally {
      LOCK.unlock();
    }
    for (Backend b : backends) {
      try {
        b.close();
      } catch (RuntimeException e) {
        Log.LOG.log(Level.WARNING, "closing the " + b.name() + " backend at exit failed", e);
      }
    }
  }
}
