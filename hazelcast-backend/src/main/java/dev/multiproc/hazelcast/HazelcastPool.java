package dev.multiproc.hazelcast;

import com.hazelcast.cluster.Member;
import dev.multiproc.MultiprocException;
import dev.multiproc.NotShippableException;
import dev.multiproc.PoolOptions;
import dev.multiproc.TaskCallable;
import dev.multiproc.TaskFunction;
import dev.multiproc.engine.AbstractPool;
import dev.multiproc.engine.ExecutorSet;
import dev.multiproc.engine.WorkUnit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool on the cluster. Each of its {@code workers} is a thread here that takes one unit at a
 * time from the {@link AbstractPool} queue and makes one executor call for it
 * ({@link ChunkTask}) to the member the worker is placed on, then waits for the reply: so
 * {@code workers} bounds the chunks in flight. On the member, the worker has a thread of its own
 * ({@link MemberWorkers}) that ran the initializer and runs every chunk of that worker.
 *
 * <p>Workers are placed on the members round-robin. When a call fails because its member left
 * (killed, shut down, or silent past the heartbeat timeout), the unit is put back at the front of
 * the queue without counting as an attempt, and the worker moves to another member as a fresh
 * worker (its initializer runs there): every result arrives exactly once and {@code map} keeps
 * input order. With no member left, the unit fails with a {@link MultiprocException}.
 * {@code terminate} and task timeouts cancel the call, which interrupts the worker's thread on the
 * member and drops it.
 */
final class HazelcastPool extends AbstractPool {

  private static final AtomicInteger POOL_NUMBERS = new AtomicInteger();

  private final HazelcastBackend backend;
  private final String poolId;
  private final byte[] initializer;
  private final ReentrantLock lock = new ReentrantLock();
  private final ExecutorSet<Executor> executors = new ExecutorSet<>(lock);

  HazelcastPool(HazelcastBackend backend, PoolOptions options) {
    super(options, backend.threads());
    this.backend = backend;
    this.poolId = backend.id() + "/" + options.name() + "-" + POOL_NUMBERS.incrementAndGet();
    this.initializer = options.initializer().map(t -> Shipping.serialize(t, "the pool's initializer")).orElse(null);
    lock.lock();
    try {
      for (int i = 1; i <= options.workers(); i++) {
        Executor e = new Executor(options.name() + "-" + i);
        executors.addLocked(e);
        e.thread.start();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected Object prepareFunction(TaskFunction<?, ?> fn) {
    return Shipping.serialize(fn, "the map function");
  }

  @Override
  protected Object prepareItems(Object[] items, int offset, int count, long firstIndex) {
    return Shipping.serializeItems(java.util.Arrays.copyOfRange(items, offset, offset + count), firstIndex);
  }

  @Override
  protected Object prepareCall(TaskCallable<?> task) {
    return Shipping.serialize(task, "the submitted task");
  }

  @Override
  protected void timedOut(WorkUnit unit) {
    lock.lock();
    try {
      for (Executor e : executors.allLocked()) {
        if (e.unit == unit && e.call != null) {
          e.call.cancel(true); // interrupts the worker's thread on the member, which drops it
        }
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected void stopExecutors(boolean force) {
    List<Executor> all;
    List<Future<byte[]>> calls = new ArrayList<>();
    lock.lock();
    try {
      all = new ArrayList<>(executors.allLocked());
      for (Executor e : all) {
        if (e.call != null) {
          calls.add(e.call);
        }
      }
    } finally {
      lock.unlock();
    }
    if (force) {
      // A Hazelcast future's get() is not interruptible: cancel the calls in flight (which
      // interrupts their workers' threads on the members), and interrupt executors waiting for work.
      for (Future<byte[]> c : calls) {
        try {
          c.cancel(true);
        } catch (RuntimeException e) {
          // the member or this instance is gone: the call ends with it
        }
      }
      for (Executor e : all) {
        e.thread.interrupt();
      }
    }
    executors.awaitEmpty(backend.settings().shutdownTimeout());
    backend.poolEnded(this);
  }

  private final class Executor implements Runnable {
    final String name;
    final Thread thread;
    int generation;
    Member member;
    String workerId;
    int done;
    // Guarded by the pool's lock: what timedOut() may cancel.
    WorkUnit unit;
    Future<byte[]> call;

    Executor(String name) {
      this.name = name;
      this.thread = backend.threads().newThread(name, true, this);
    }

    @Override
    public void run() {
      try {
        while (true) {
          WorkUnit u;
          try {
            u = take();
          } catch (InterruptedException e) {
            if (isTerminated()) {
              return;
            }
            continue;
          }
          if (u == null) {
            return;
          }
          if (u.isAbandoned()) {
            u.skip();
            continue;
          }
          if (!runUnit(u)) {
            return;
          }
        }
      } finally {
        retire();
        executors.remove(this);
      }
    }

    /** @return false if this executor must end */
    private boolean runUnit(WorkUnit u) {
      long lostSince = 0;
      while (true) {
        if (member == null) {
          member = backend.nextMember();
          workerId = poolId + "/" + name + "." + (++generation);
          done = 0;
          if (member == null) {
            u.fail(new MultiprocException("no Hazelcast member is left in cluster '" + backend.clusterName()
                + "' to run " + u + "; start members (or check multiproc.hazelcast.members) and try again"));
            return true;
          }
        }
        ChunkTask task = new ChunkTask(backend.id(), workerId, name + "." + generation, initializer,
            u.isCall() ? null : (byte[]) u.jobAttachment(), u.isCall() ? null : (byte[]) u.attachment(),
            u.isCall() ? (byte[]) u.attachment() : null, u.firstIndex());
        Future<byte[]> f;
        try {
          f = backend.executor().submitToMember(task, member);
        } catch (RuntimeException e) {
          if (Remote.memberGone(e)) {
            member = null;
            lostSince = backoff(lostSince, u);
            if (lostSince < 0) {
              return true;
            }
            continue;
          }
          u.fail(closedOr(e));
          return !backend.isClosed();
        }
        lock.lock();
        try {
          unit = u;
          call = f;
        } finally {
          lock.unlock();
        }
        byte[] reply;
        try {
          reply = f.get();
        } catch (InterruptedException e) {
          f.cancel(true);
          member = null; // its thread there is gone
          if (isTerminated() || backend.isClosed()) {
            u.fail(new CancellationException("the pool was terminated"));
            return false;
          }
          giveBack(u);
          continue;
        } catch (CancellationException e) {
          member = null; // timed out or terminated: the unit has failed, the worker's thread there was dropped
          if (isTerminated() || backend.isClosed()) {
            u.fail(new CancellationException("the pool was terminated"));
            return false;
          }
          return true;
        } catch (ExecutionException | RuntimeException e) {
          if (Remote.memberGone(e) && !backend.isClosed()) {
            member = null;
            lostSince = backoff(lostSince, u);
            if (lostSince < 0) {
              return true;
            }
            continue;
          }
          member = null;
          u.fail(closedOr(e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e));
          return !backend.isClosed();
        } finally {
          lock.lock();
          try {
            unit = null;
            call = null;
          } finally {
            lock.unlock();
          }
        }
        return deliver(u, reply);
      }
    }

    /**
     * The unit's member left: wait a little for the cluster view to catch up, then the caller
     * tries another member. After twice the heartbeat timeout of nothing but lost members, the
     * unit fails.
     *
     * @return the time losses began, or -1 if the unit was failed
     */
    private long backoff(long lostSince, WorkUnit u) {
      long now = System.nanoTime();
      if (lostSince == 0) {
        return now;
      }
      if (now - lostSince > 2 * backend.settings().heartbeatTimeout().toNanos()) {
        u.fail(new MultiprocException("every Hazelcast member " + u + " was sent to left the cluster '"
            + backend.clusterName() + "' for " + Duration.ofNanos(now - lostSince).toSeconds() + " s; no member is left to run it"));
        return -1;
      }
      LockSupport.parkNanos(50_000_000L); // the cluster view drops a dead member within about a second
      return lostSince;
    }

    private Throwable closedOr(Throwable e) {
      if (backend.isClosed() || isTerminated()) {
        return new CancellationException("the pool was terminated");
      }
      if (Remote.isInactive(e)) {
        return new MultiprocException("this JVM's Hazelcast " + (backend.settings().client() ? "client" : "member")
            + " is no longer running, so the pool cannot run work: " + e, e);
      }
      if (e instanceof com.hazelcast.nio.serialization.HazelcastSerializationException) {
        return new NotShippableException("a task could not be read on the member: " + e.getMessage()
            + ". Every class a task uses must be on every member's class path.", e);
      }
      return e;
    }

    /** @return false if this executor must end */
    private boolean deliver(WorkUnit u, byte[] bytes) {
      MemberWorkers.Reply r;
      try {
        r = (MemberWorkers.Reply) Shipping.deserialize(bytes, "the reply for " + u);
      } catch (NotShippableException e) {
        u.fail(e);
        return true;
      }
      if (r.initFailure() != null) {
        member = null;
        initializerFailed(name, r.initFailure().rebuild());
        giveBack(u); // the pool is broken now: this fails the unit with the initializer's failure
        return false;
      }
      if (r.unitFailure() != null) {
        u.fail(r.unitFailure().rebuild());
      } else {
        int n = r.results().length;
        Object[] results = new Object[n];
        Throwable[] failures = null;
        for (int i = 0; i < n; i++) {
          Throwable f = r.failures() == null || r.failures()[i] == null ? null : r.failures()[i].rebuild();
          if (f == null) {
            try {
              results[i] = Shipping.deserialize(r.results()[i], u.isCall() ? "the task's result" : "the result of item " + (u.firstIndex() + i));
            } catch (NotShippableException e) {
              f = e;
            }
          }
          if (f != null) {
            if (failures == null) {
              failures = new Throwable[n];
            }
            failures[i] = f;
          }
        }
        if (u.isCall()) {
          u.completeCall(results[0], failures == null ? null : failures[0]);
        } else {
          u.complete(results, failures);
        }
      }
      if (options.maxTasksPerWorker() > 0 && ++done >= options.maxTasksPerWorker()) {
        retire();
      }
      return true;
    }

    /** Ends this worker's thread on its member; the next unit starts a fresh worker. */
    private void retire() {
      Member m = member;
      String id = workerId;
      member = null;
      if (m != null && id != null) {
        backend.retire(m, id);
      }
    }
  }

  @Override
  public String toString() {
    return "HazelcastPool{" + options.name() + ", workers=" + options.workers() + "}";
  }
}
