package dev.multiproc.hazelcast;

import com.hazelcast.cluster.Member;
import dev.multiproc.MultiprocException;
import dev.multiproc.Task;
import dev.multiproc.Worker;
import dev.multiproc.WorkerDiedException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Worker} on the cluster: one executor call running the task on a member chosen
 * round-robin, in one of that member's executor threads.
 *
 * <p>What Python's process vocabulary means here: {@code terminate()} and {@code kill()} both
 * cancel the call, which interrupts the task's thread on the member (a member is shared, so
 * nothing is killed); the exit code is then -15 or -9 as for a signal. Exit code 0: the task
 * returned; 1: it threw ({@link #failure()}); -9 with a {@link WorkerDiedException} as failure: its
 * member left the cluster while it ran. {@code pid()} is empty: the task runs in a member JVM
 * shared with other work, not in a process of its own. {@link #join()} returns when the call has
 * ended (after a cancellation: once the member has acknowledged it).
 */
final class HazelcastWorker implements Worker {

  private final HazelcastBackend backend;
  private final Task task;
  private final String name;
  private final boolean daemon;
  private final ReentrantLock lock = new ReentrantLock();
  private final CountDownLatch ended = new CountDownLatch(1);
  private boolean started;
  private volatile Future<byte[]> call;
  private volatile Member member;
  private volatile int stopCode;
  private volatile Integer exitCode;
  private volatile Throwable failure;

  HazelcastWorker(HazelcastBackend backend, Task task, String name, boolean daemon) {
    this.backend = backend;
    this.task = task;
    this.name = name;
    this.daemon = daemon;
  }

  @Override
  public Worker start() {
    lock.lock();
    try {
      if (started) {
        throw new IllegalStateException("worker " + name + " was already started; a worker runs once");
      }
      byte[] bytes = Shipping.serialize(task, "the task of worker " + name);
      backend.checkOpen();
      Member m = backend.nextMember();
      if (m == null) {
        throw new MultiprocException("no Hazelcast member in cluster '" + backend.clusterName() + "' can run worker " + name);
      }
      backend.workerStarted(this);
      Future<byte[]> f;
      try {
        f = backend.executor().submitToMember(new WorkerTask(name, bytes), m);
      } catch (RuntimeException e) {
        backend.workerEnded(this);
        throw Remote.translate(e, "worker " + name);
      }
      member = m;
      call = f;
      started = true;
      @SuppressWarnings("unchecked") // Hazelcast's executor futures are CompletionStages (InternalCompletableFuture)
      CompletionStage<byte[]> stage = (CompletionStage<byte[]>) f;
      stage.whenComplete(this::ended);
      return this;
    } finally {
      lock.unlock();
    }
  }

  private void ended(byte[] reply, Throwable t) {
    int code;
    Throwable why = null;
    if (stopCode != 0) {
      code = stopCode;
    } else if (t == null) {
      if (reply == null) {
        code = 0;
      } else {
        code = 1;
        why = ((Shipping.Failure) Shipping.deserialize(reply, "the failure of worker " + name)).rebuild();
      }
    } else if (t instanceof CancellationException) {
      code = -15;
    } else if (Remote.memberGone(t) || Remote.isInactive(t)) {
      code = -9;
      why = new WorkerDiedException("worker " + name + " ran on member " + member + ", which left the cluster", null, -1, t);
    } else {
      code = 1;
      why = t.getCause() != null && t instanceof java.util.concurrent.ExecutionException ? t.getCause() : t;
    }
    failure = why;
    exitCode = code;
    ended.countDown();
    backend.workerEnded(this);
  }

  @Override
  public void join() throws InterruptedException {
    checkStarted();
    ended.await();
  }

  @Override
  public boolean join(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    checkStarted();
    return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void checkStarted() {
    lock.lock();
    try {
      if (!started) {
        throw new IllegalStateException("worker " + name + " was never started; call start() before join()");
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isAlive() {
    return call != null && ended.getCount() > 0;
  }

  @Override
  public void terminate() {
    stop(-15);
  }

  @Override
  public void kill() {
    stop(-9);
  }

  private void stop(int code) {
    Future<byte[]> f = call;
    if (f != null && isAlive()) {
      stopCode = code;
      try {
        f.cancel(true);
      } catch (RuntimeException e) {
        // the member or this instance is gone: the call ends with it
      }
    }
  }

  @Override
  public OptionalInt exitCode() {
    Integer c = exitCode;
    return c == null ? OptionalInt.empty() : OptionalInt.of(c);
  }

  @Override
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public String name() {
    return name;
  }

  /** @return empty: a worker runs in a member JVM shared with other work, not in a process of its own */
  @Override
  public OptionalLong pid() {
    return OptionalLong.empty();
  }

  @Override
  public boolean isDaemon() {
    return daemon;
  }

  @Override
  public String toString() {
    return "HazelcastWorker{" + name + (member == null ? "" : ", on " + member.getAddress())
        + (isAlive() ? ", alive" : exitCode == null ? "" : ", exit " + exitCode) + "}";
  }
}
