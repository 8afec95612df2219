package dev.multiproc.hazelcast;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.cluster.Member;
import com.hazelcast.config.QueueConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import dev.multiproc.Backend;
import dev.multiproc.Event;
import dev.multiproc.MultiprocException;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Task;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.engine.ThreadMaker;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code hazelcast} backend: the same program on a Hazelcast cluster (open-source edition).
 *
 * <h2>Design notes</h2>
 *
 * <ul>
 *   <li><b>Instance.</b> {@code mode=embedded} (default) starts a member in this JVM: alone on
 *       127.0.0.1 unless {@code members} name others to join; {@code mode=client} connects to
 *       {@code members}. Phone-home, auto-detection and multicast are off in every configuration
 *       built here ({@link HazelcastSettings}). One log line says mode, cluster and members.
 *   <li><b>Pools</b> ({@link HazelcastPool}): one executor call per chunk, to the member a pool
 *       worker is placed on; {@code workers} bounds the chunks in flight. A member lost mid-call
 *       (its futures fail with {@code MemberLeftException}, or it is silent past
 *       {@code heartbeat-timeout}) has its chunks re-run elsewhere: results arrive exactly once.
 *   <li><b>Queues</b> are {@code IQueue}s ({@link HazelcastQueue}); <b>events</b> are entries of
 *       an {@code IMap} ({@link HazelcastEvent}): no CP subsystem. Handles travel as names and
 *       find the member's instance on the other side ({@link Instances}).
 *   <li><b>The rest of the toolbox</b> (issue 11): Lock/RLock ({@link HazelcastLock}, per-key
 *       {@code IMap} locks, released when their member or client leaves), Semaphore, Barrier, Value
 *       and the counts of JoinableQueue and Pipe are entries of one sync {@code IMap} changed by
 *       compare-and-set ({@link SyncHandle}); when a member leaves, {@link MemberLoss} gives back
 *       the permits taken there, breaks a barrier waited at there and closes the pipe ends used
 *       there; SharedMap is an {@code IMap} of its own
 *       ({@link HazelcastSharedMap}). They keep no local copy once the backend is closed.
 *   <li><b>Workers</b> ({@link HazelcastWorker}) are one executor call each, on a member chosen
 *       round-robin; {@code terminate()}/{@code kill()} cancel the call (interrupting the task).
 *   <li><b>Classes.</b> Tasks travel Java-serialized; their classes, and multiproc's, must be on
 *       every member's class path. Nothing else of multiproc runs on a member.
 *   <li><b>Lifecycle.</b> {@link #close()} kills workers, terminates pools, moves the items and
 *       states of this JVM's queues and events into local copies (they stay usable here, as the
 *       API promises), removes the structures from the cluster (client mode), and shuts the
 *       member or client down. Hazelcast's threads are not daemons: an exit watcher closes the
 *       backend once {@code main} has returned and nothing but Hazelcast (and no non-daemon
 *       worker) would keep the JVM alive, so a program exits as it would on another backend.
 * </ul>
 */
final class HazelcastBackend implements Backend {

  private static final System.Logger LOG = System.getLogger("dev.multiproc.hazelcast");

  /** Something this JVM holds that must keep working, locally, once the backend is closed. */
  interface Detachable {
    void detach();

    void destroy();
  }

  private final String id = UUID.randomUUID().toString();
  private final HazelcastSettings settings;
  private final HazelcastInstance instance;
  private final String clusterName;
  private final String eventsMap;
  private final ThreadMaker threads = ThreadMaker.platform();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition workerEnded = lock.newCondition();
  private final Set<HazelcastPool> pools = new HashSet<>();
  private final Set<HazelcastWorker> workers = new HashSet<>();
  private final Set<Detachable> handles = Collections.newSetFromMap(new WeakHashMap<>());
  private final Set<Integer> boundedSizes = new HashSet<>();
  private final AtomicInteger workerNumbers = new AtomicInteger();
  private final AtomicInteger nextMember = new AtomicInteger();
  private final Thread exitWatcher;
  private volatile boolean closed;
  private boolean shutDown;

  HazelcastBackend(HazelcastSettings settings) {
    this.settings = settings;
    try {
      this.instance = settings.client()
          ? HazelcastClient.newHazelcastClient(settings.clientConfig())
          : Hazelcast.newHazelcastInstance(settings.memberConfig());
    } catch (RuntimeException e) {
      throw new MultiprocException("the hazelcast backend could not " + (settings.client()
          ? "connect to the cluster at " + settings.describeMembers() : "start its member") + ": " + e
          + ". Check the multiproc.hazelcast.* settings (mode, cluster-name, members, port, config).", e);
    }
    this.clusterName = instance.getConfig().getClusterName();
    this.eventsMap = "multiproc.events." + id;
    LOG.log(Level.INFO, () -> "hazelcast backend: mode " + (settings.client() ? "client" : "embedded")
        + ", cluster " + clusterName + ", members " + settings.describeMembers()
        + (settings.client() ? "" : ", this member " + instance.getCluster().getLocalMember().getAddress()));
    try {
      instance.getCluster().addMembershipListener(new MemberLoss(this, syncMap()));
    } catch (RuntimeException e) {
      instance.shutdown();
      throw Remote.translate(e, "the hazelcast backend's membership listener");
    }
    Instances.opened(this);
    this.exitWatcher = threads.newPlatformThread("multiproc-hazelcast-exit-watch", true, this::watchExit);
    exitWatcher.start();
  }

  @Override
  public String name() {
    return HazelcastBackendProvider.NAME;
  }

  String id() {
    return id;
  }

  HazelcastInstance instance() {
    return instance;
  }

  HazelcastSettings settings() {
    return settings;
  }

  String clusterName() {
    return clusterName;
  }

  ThreadMaker threads() {
    return threads;
  }

  boolean isClosed() {
    return closed;
  }

  IExecutorService executor() {
    return instance.getExecutorService(HazelcastSettings.EXECUTOR);
  }

  /** @return the next data member, round-robin, or null if the cluster has none */
  Member nextMember() {
    try {
      List<Member> members = instance.getCluster().getMembers().stream().filter(m -> !m.isLiteMember()).toList();
      return members.isEmpty() ? null : members.get(Math.floorMod(nextMember.getAndIncrement(), members.size()));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Ends a pool worker's thread on its member, without waiting. */
  void retire(Member member, String workerId) {
    if (member.localMember()) {
      MemberWorkers.retire(List.of(workerId));
      return;
    }
    try {
      executor().submitToMember(new RetireTask(List.of(workerId)), member);
    } catch (RuntimeException e) {
      // the member or this instance is gone; its idle workers end by themselves
    }
  }

  @Override
  public Pool newPool(PoolOptions options) {
    Objects.requireNonNull(options, "options");
    checkOpen();
    HazelcastPool pool = new HazelcastPool(this, options);
    lock.lock();
    try {
      if (closed) {
        pool.terminate();
        throw closedException();
      }
      pools.add(pool);
    } finally {
      lock.unlock();
    }
    return pool;
  }

  @Override
  public <T> Queue<T> newQueue(int maxSize) {
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize must be 0 (unbounded) or positive, got " + maxSize);
    }
    checkOpen();
    String prefix = maxSize == 0 ? "multiproc.q.u." : "multiproc.q.b" + maxSize + ".";
    if (maxSize > 0) {
      boolean add;
      lock.lock();
      try {
        add = boundedSizes.add(maxSize);
      } finally {
        lock.unlock();
      }
      if (add) {
        try {
          instance.getConfig().addQueueConfig(new QueueConfig(prefix + "*").setMaxSize(maxSize));
        } catch (RuntimeException e) {
          throw Remote.translate(e, "a new queue of capacity " + maxSize);
        }
      }
    }
    HazelcastQueue<T> q = new HazelcastQueue<>(instance, id, clusterName, prefix + UUID.randomUUID(), maxSize);
    track(q);
    return q;
  }

  @Override
  public Event newEvent() {
    checkOpen();
    String key = UUID.randomUUID().toString();
    HazelcastEvent e = new HazelcastEvent(instance, id, clusterName, eventsMap, key);
    try {
      Signals.of(instance).event(instance.getMap(eventsMap), key); // listening before anyone waits
    } catch (RuntimeException ex) {
      throw Remote.translate(ex, "a new event");
    }
    track(e);
    return e;
  }

  // The rest of Python's toolbox (issue 11): see SyncHandle for how their state lives on the cluster.

  private String syncMap() {
    return "multiproc.sync." + id;
  }

  private <H extends SyncHandle> H sync(H h, Object initial) {
    checkOpen();
    if (initial != null) {
      h.init(initial);
    }
    h.listen();
    return h;
  }

  @Override
  public dev.multiproc.Lock newLock() {
    return sync(new HazelcastLock(instance, id, clusterName, syncMap(), "lock." + UUID.randomUUID(), false), null);
  }

  @Override
  public dev.multiproc.Lock newRLock() {
    return sync(new HazelcastLock(instance, id, clusterName, syncMap(), "rlock." + UUID.randomUUID(), true), null);
  }

  @Override
  public dev.multiproc.Semaphore newSemaphore(int permits) {
    return semaphore(permits, false);
  }

  @Override
  public dev.multiproc.Semaphore newBoundedSemaphore(int permits) {
    return semaphore(permits, true);
  }

  private dev.multiproc.Semaphore semaphore(int permits, boolean bounded) {
    if (permits < 0) {
      throw new IllegalArgumentException("permits must be 0 or more, got " + permits);
    }
    return sync(new HazelcastSemaphore(instance, id, clusterName, syncMap(), "sem." + UUID.randomUUID(), permits, bounded),
        HazelcastSemaphore.initial(permits));
  }

  @Override
  public dev.multiproc.Barrier newBarrier(int parties) {
    if (parties < 1) {
      throw new IllegalArgumentException("parties must be 1 or more, got " + parties);
    }
    return sync(new HazelcastBarrier(instance, id, clusterName, syncMap(), "barrier." + UUID.randomUUID(), parties),
        HazelcastBarrier.initial());
  }

  @Override
  public <T> dev.multiproc.JoinableQueue<T> newJoinableQueue(int maxSize) {
    Queue<T> items = newQueue(maxSize);
    return sync(new HazelcastJoinableQueue<>(instance, id, clusterName, syncMap(), "jq." + UUID.randomUUID(), items), 0L);
  }

  @Override
  public <T> dev.multiproc.Pipe<T> newPipe() {
    Queue<T> toRight = newQueue(0);
    Queue<T> toLeft = newQueue(0);
    String key = "pipe." + UUID.randomUUID();
    return new dev.multiproc.Pipe<>(
        sync(new HazelcastConnection<>(instance, id, clusterName, syncMap(), key, true, toLeft, toRight), null),
        sync(new HazelcastConnection<>(instance, id, clusterName, syncMap(), key, false, toRight, toLeft), null));
  }

  @Override
  public dev.multiproc.Value newValue(long initial) {
    return sync(new HazelcastValue(instance, id, clusterName, syncMap(), "value." + UUID.randomUUID()), initial);
  }

  @Override
  public <K, V> dev.multiproc.SharedMap<K, V> newSharedMap() {
    checkOpen();
    HazelcastSharedMap<K, V> m = new HazelcastSharedMap<>(instance, id, clusterName, "multiproc.map." + id + "." + UUID.randomUUID());
    track(m);
    return m;
  }

  private void track(Detachable d) {
    lock.lock();
    try {
      handles.add(d);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Worker newWorker(Task task, WorkerOptions options) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(options, "options");
    checkOpen();
    String workerName = options.name().orElseGet(() -> "Worker-" + workerNumbers.incrementAndGet());
    return new HazelcastWorker(this, task, workerName, options.daemon());
  }

  void checkOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private IllegalStateException closedException() {
    return new IllegalStateException("the hazelcast backend is closed");
  }

  void workerStarted(HazelcastWorker w) {
    lock.lock();
    try {
      if (closed) {
        throw closedException();
      }
      workers.add(w);
    } finally {
      lock.unlock();
    }
  }

  void workerEnded(HazelcastWorker w) {
    lock.lock();
    try {
      workers.remove(w);
      workerEnded.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void poolEnded(HazelcastPool p) {
    lock.lock();
    try {
      pools.remove(p);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Kills every worker, terminates every pool, detaches this JVM's queues and events (they keep
   * working here on local copies), and shuts the member or client down; waits, at most
   * {@code shutdown-timeout}, for the threads this backend started. Idempotent.
   */
  @Override
  public void close() {
    List<HazelcastPool> openPools;
    List<HazelcastWorker> live;
    List<Detachable> held;
    lock.lock();
    try {
      if (shutDown) {
        return;
      }
      shutDown = true;
      closed = true;
      openPools = new ArrayList<>(pools);
      live = new ArrayList<>(workers);
      held = new ArrayList<>(handles);
    } finally {
      lock.unlock();
    }
    boolean interrupted = Thread.interrupted();
    try {
      for (HazelcastWorker w : live) {
        w.kill();
      }
      for (HazelcastPool p : openPools) {
        p.terminate();
      }
      for (Detachable d : held) {
        d.detach();
      }
      if (settings.client()) {
        for (Detachable d : held) {
          d.destroy();
        }
        try {
          instance.getMap(eventsMap).destroy();
          instance.getMap(syncMap()).destroy();
        } catch (RuntimeException e) {
          // best effort: the cluster may be gone
        }
      }
      MemberWorkers.kill(id);
      Instances.closed(this);
      try {
        instance.shutdown();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "shutting down the Hazelcast " + (settings.client() ? "client" : "member") + " failed", e);
      }
      exitWatcher.interrupt();
      long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
      try {
        MemberWorkers.awaitGone(id, settings.shutdownTimeout());
      } catch (InterruptedException e) {
        interrupted = true;
      }
      while (threads.liveThreads() > 0 && System.nanoTime() < deadline && Thread.currentThread() != exitWatcher) {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // threads end outside any lock of ours
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Hazelcast's threads are not daemons, so an open backend would keep the JVM alive after
   * {@code main} returns, unlike every other backend. Once the launcher waits for the JVM to end
   * ({@code DestroyJavaVM}) and only Hazelcast's threads (and no non-daemon worker of ours) are
   * left, close the backend.
   */
  private void watchExit() {
    while (!closed) {
      try {
        Thread.sleep(250); // a periodic check of the JVM's threads, not a synchronisation
      } catch (InterruptedException e) {
        return;
      }
      if (onlyHazelcastKeepsJvmAlive()) {
        LOG.log(Level.DEBUG, "main has returned and only Hazelcast's threads are left: closing the hazelcast backend");
        close();
        return;
      }
    }
  }

  private boolean onlyHazelcastKeepsJvmAlive() {
    lock.lock();
    try {
      for (HazelcastWorker w : workers) {
        if (!w.isDaemon()) {
          return false;
        }
      }
    } finally {
      lock.unlock();
    }
    boolean exiting = false;
    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
      Thread t = e.getKey();
      if (!t.isAlive() || t.isDaemon()) {
        continue;
      }
      if (t.getName().equals("DestroyJavaVM")) {
        exiting = true;
      } else if (!t.getName().startsWith("hz.")) {
        return false;
      }
    }
    return exiting;
  }

  @Override
  public String toString() {
    return "HazelcastBackend{" + (settings.client() ? "client" : "embedded") + ", cluster " + clusterName
        + (closed ? ", closed" : "") + "}";
  }
}
