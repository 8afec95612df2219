package dev.multiproc.hazelcast;

import dev.multiproc.NotShippableException;
import dev.multiproc.Task;
import dev.multiproc.TaskCallable;
import dev.multiproc.TaskFunction;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pool workers living in this JVM as a member: one daemon thread per pool worker, so that a
 * worker's initializer runs once, before its first chunk, and every chunk of a worker runs on the
 * same thread (as in a process pool's child). A {@link ChunkTask} hands its chunk to the worker's
 * thread and waits for the reply; if that wait is interrupted (the call was cancelled: pool
 * terminated, task timed out), the worker's thread is interrupted and the worker is dropped, so
 * its next chunk starts a fresh one. A worker idle for {@link #IDLE_MINUTES} ends by itself (its
 * pool's JVM went away without retiring it).
 */
final class MemberWorkers {

  static final long IDLE_MINUTES = 10;

  private static final ReentrantLock LOCK = new ReentrantLock();
  private static final Condition GONE = LOCK.newCondition();
  private static final Map<String, Worker> WORKERS = new HashMap<>();
  private static final Map<String, Integer> LIVE_THREADS = new HashMap<>();

  private MemberWorkers() {}

  static byte[] run(ChunkTask task) throws InterruptedException {
    Worker w;
    LOCK.lock();
    try {
      w = WORKERS.get(task.workerId());
      if (w == null) {
        w = new Worker(task);
        WORKERS.put(task.workerId(), w);
        LIVE_THREADS.merge(task.backendId(), 1, Integer::sum);
        w.thread.start();
      }
    } finally {
      LOCK.unlock();
    }
    return w.run(task);
  }

  static void retire(Collection<String> workerIds) {
    List<Worker> stop = new ArrayList<>();
    LOCK.lock();
    try {
      for (String id : workerIds) {
        Worker w = WORKERS.remove(id);
        if (w != null) {
          stop.add(w);
        }
      }
    } finally {
      LOCK.unlock();
    }
    stop.forEach(Worker::retire);
  }

  /** Stops every worker of a backend in this JVM (its embedded member is about to shut down). */
  static void kill(String backendId) {
    List<Worker> stop = new ArrayList<>();
    LOCK.lock();
    try {
      WORKERS.values().removeIf(w -> {
        if (w.backendId.equals(backendId)) {
          stop.add(w);
          return true;
        }
        return false;
      });
    } finally {
      LOCK.unlock();
    }
    stop.forEach(Worker::kill);
  }

  /**
   * Waits until no worker thread of the backend is alive in this JVM.
   *
   * @return true if none is, false if some still run after {@code timeout}
   */
  static boolean awaitGone(String backendId, Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    LOCK.lock();
    try {
      while (LIVE_THREADS.getOrDefault(backendId, 0) > 0) {
        if (nanos <= 0) {
          return false;
        }
        nanos = GONE.awaitNanos(nanos);
      }
      return true;
    } finally {
      LOCK.unlock();
    }
  }

  private static void ended(Worker w) {
    LOCK.lock();
    try {
      WORKERS.remove(w.id, w);
      LIVE_THREADS.computeIfPresent(w.backendId, (k, n) -> n <= 1 ? null : n - 1);
      GONE.signalAll();
    } finally {
      LOCK.unlock();
    }
  }

  /**
   * What a chunk's call returns, serialized. Each result is serialized on its own, so that one the
   * caller cannot read fails only its item.
   */
  record Reply(byte[][] results, Shipping.Failure[] failures, Shipping.Failure unitFailure, Shipping.Failure initFailure)
      implements Serializable {
    @Serial private static final long serialVersionUID = 1L;
  }

  private record Job(ChunkTask task, CompletableFuture<byte[]> reply) {}

  private static final Job RETIRE = new Job(null, null);

  private static final class Worker implements Runnable {
    final String id;
    final String backendId;
    final String name;
    final byte[] initializer;
    final Thread thread;
    final LinkedBlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
    volatile boolean killed;

    Worker(ChunkTask first) {
      this.id = first.workerId();
      this.backendId = first.backendId();
      this.name = first.workerName();
      this.initializer = first.initializer();
      this.thread = Thread.ofPlatform().name("multiproc-" + name).daemon(true).unstarted(this);
    }

    byte[] run(ChunkTask task) throws InterruptedException {
      Job job = new Job(task, new CompletableFuture<>());
      jobs.add(job);
      try {
        return job.reply.get();
      } catch (InterruptedException e) {
        kill();
        throw e;
      } catch (ExecutionException e) {
        throw new IllegalStateException("pool worker " + name + " failed: " + e.getCause(), e.getCause());
      }
    }

    void retire() {
      jobs.add(RETIRE);
    }

    void kill() {
      killed = true;
      LOCK.lock();
      try {
        WORKERS.remove(id, this);
      } finally {
        LOCK.unlock();
      }
      thread.interrupt();
      jobs.add(RETIRE);
    }

    @Override
    public void run() {
      try {
        Shipping.Failure initFailure = null;
        if (initializer != null) {
          try {
            ((Task) Shipping.deserialize(initializer, "the pool's initializer")).run();
          } catch (Throwable t) {
            initFailure = Shipping.Failure.of(t);
          }
        }
        while (!killed) {
          Job job;
          try {
            job = jobs.poll(IDLE_MINUTES, TimeUnit.MINUTES);
          } catch (InterruptedException e) {
            return;
          }
          if (job == null || job == RETIRE) {
            return;
          }
          byte[] reply;
          try {
            reply = initFailure != null
                ? Shipping.serialize(new Reply(null, null, null, initFailure), "a reply")
                : runChunk(job.task);
          } catch (Throwable t) {
            job.reply.completeExceptionally(t);
            continue;
          }
          job.reply.complete(reply);
          if (initFailure != null) {
            return;
          }
          Thread.interrupted(); // an interrupt meant for that chunk must not reach the next one
        }
      } finally {
        ended(this);
        for (Job j; (j = jobs.poll()) != null; ) {
          if (j.reply != null) {
            j.reply.completeExceptionally(new IllegalStateException("pool worker " + name + " ended"));
          }
        }
      }
    }

    private static byte[] runChunk(ChunkTask t) {
      if (t.callable() != null) {
        Object result = null;
        Throwable failure = null;
        try {
          TaskCallable<?> c = (TaskCallable<?>) Shipping.deserialize(t.callable(), "the submitted task");
          result = c.call();
        } catch (Throwable e) {
          failure = e;
        }
        return reply(new Object[] {result}, failure == null ? null : new Throwable[] {failure}, t.firstIndex());
      }
      TaskFunction<Object, Object> fn;
      Object[] items;
      try {
        @SuppressWarnings("unchecked")
        TaskFunction<Object, Object> f = (TaskFunction<Object, Object>) Shipping.deserialize(t.function(), "the map function");
        fn = f;
        items = (Object[]) Shipping.deserialize(t.items(), "the chunk's items");
      } catch (NotShippableException e) {
        return Shipping.serialize(new Reply(null, null, Shipping.Failure.of(e), null), "a reply");
      }
      Object[] results = new Object[items.length];
      Throwable[] failures = null;
      for (int i = 0; i < items.length; i++) {
        try {
          results[i] = fn.apply(items[i]);
        } catch (Throwable e) {
          if (failures == null) {
            failures = new Throwable[items.length];
          }
          failures[i] = e;
        }
      }
      return reply(results, failures, t.firstIndex());
    }

    /** Serializes the reply; a result that cannot travel becomes that item's failure. */
    private static byte[] reply(Object[] results, Throwable[] failures, long firstIndex) {
      byte[][] bytes = new byte[results.length][];
      for (int i = 0; i < results.length; i++) {
        if (failures != null && failures[i] != null) {
          continue;
        }
        try {
          bytes[i] = Shipping.serialize(results[i], "the result of item " + (firstIndex + i));
        } catch (NotShippableException bad) {
          if (failures == null) {
            failures = new Throwable[results.length];
          }
          failures[i] = bad;
        }
      }
      return Shipping.serialize(new Reply(bytes, box(failures), null, null), "a reply");
    }

    private static Shipping.Failure[] box(Throwable[] failures) {
      if (failures == null) {
        return null;
      }
      Shipping.Failure[] boxed = new Shipping.Failure[failures.length];
      for (int i = 0; i < failures.length; i++) {
        boxed[i] = failures[i] == null ? null : Shipping.Failure.of(failures[i]);
      }
      return boxed;
    }
  }
}
