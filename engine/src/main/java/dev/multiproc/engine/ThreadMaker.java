package dev.multiproc.engine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the threads of one backend (platform or virtual) and counts those still alive, so that
 * closing the backend can wait for them and tests can prove that none is left.
 *
 * <p>Internal: shared by the backends, no compatibility promise.
 */
public final class ThreadMaker {

  private final boolean virtual;
  private final AtomicInteger live = new AtomicInteger();
  private final java.util.Set<Thread> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private ThreadMaker(boolean virtual) {
    this.virtual = virtual;
  }

  /** @return a maker of platform threads */
  public static ThreadMaker platform() {
    return new ThreadMaker(false);
  }

  /** @return a maker of virtual threads (for workers; {@link #newPlatformThread} stays available) */
  public static ThreadMaker virtual() {
    return new ThreadMaker(true);
  }

  /** @return true if {@link #newThread} makes virtual threads */
  public boolean isVirtual() {
    return virtual;
  }

  /**
   * A worker thread, not started: virtual or platform as this maker says. Virtual threads are
   * always daemons; {@code daemon} applies to platform threads.
   *
   * @param name the thread's name
   * @param daemon whether a platform thread is a daemon
   * @param task what it runs
   * @return the unstarted thread; start it
   */
  public Thread newThread(String name, boolean daemon, Runnable task) {
    return virtual ? Thread.ofVirtual().name(name).unstarted(counted(task)) : newPlatformThread(name, daemon, task);
  }

  /**
   * A platform thread, not started, whatever this maker's kind (for watchdogs and I/O).
   *
   * @param name the thread's name
   * @param daemon whether it is a daemon
   * @param task what it runs
   * @return the unstarted thread; start it
   */
  public Thread newPlatformThread(String name, boolean daemon, Runnable task) {
    return Thread.ofPlatform().name(name).daemon(daemon).unstarted(counted(task));
  }

  /** @return threads made here that have not ended (made but never started ones included) */
  public int liveThreads() {
    return live.get();
  }

  /** {@return the names of the threads made here that are running now, sorted, for messages} */
  public java.util.List<String> runningThreadNames() {
    return running.stream().map(Thread::getName).sorted().toList();
  }

  private Runnable counted(Runnable task) {
    live.incrementAndGet();
    return () -> {
      Thread self = Thread.currentThread();
      running.add(self);
      try {
        task.run();
      } finally {
        running.remove(self);
        live.decrementAndGet();
      }
    };
  }
}
