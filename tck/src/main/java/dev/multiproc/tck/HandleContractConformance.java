package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.common.testing.NullPointerTester;
import com.google.common.testing.SerializableTester;
import dev.multiproc.Backend;
import dev.multiproc.Barrier;
import dev.multiproc.Connection;
import dev.multiproc.Event;
import dev.multiproc.JoinableQueue;
import dev.multiproc.Lock;
import dev.multiproc.Pipe;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Semaphore;
import dev.multiproc.SharedMap;
import dev.multiproc.Task;
import dev.multiproc.TaskCallable;
import dev.multiproc.TaskFunction;
import dev.multiproc.Value;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.spi.BackendConfig;
import dev.multiproc.spi.BackendProvider;
import java.io.Serializable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract of every handle a backend gives out, checked with guava-testlib: every method of
 * the API interfaces refuses a {@code null} argument with {@link NullPointerException} at once,
 * before doing anything ({@link NullPointerTester}: the backend's own methods, its provider's
 * {@code open}, pools and their {@code asExecutorService()} view, workers, queues, events and
 * the whole toolbox); and, on backends that {@linkplain #shipsObjects() ship objects}, every handle
 * a task may capture (queues, events, locks, semaphores, barriers, joinable queues, pipe ends,
 * values, shared maps) is {@link Serializable}, and a copy read back ({@link SerializableTester})
 * is the same object: what is done through the copy is seen through the original.
 */
public abstract class HandleContractConformance extends ConformanceSuite {

  /** For a backend that extends this suite directly: override {@link #provider()}. */
  protected HandleContractConformance() {}

  HandleContractConformance(ConformanceHooks kit) {
    super(kit);
  }

  /**
   * A tester whose sample arguments every backend can take: serializable tasks, short durations,
   * small pools, empty collections.
   */
  private static NullPointerTester tester() {
    NullPointerTester t = new NullPointerTester();
    t.setDefault(Duration.class, Duration.ofMillis(1));
    t.setDefault(TimeUnit.class, TimeUnit.MILLISECONDS);
    t.setDefault(PoolOptions.class, PoolOptions.builder().workers(1).name("tck-null").build());
    t.setDefault(WorkerOptions.class, WorkerOptions.defaults());
    t.setDefault(Task.class, (Task) () -> {});
    t.setDefault(TaskCallable.class, (TaskCallable<Object>) () -> "x");
    t.setDefault(TaskFunction.class, (TaskFunction<Object, Object>) x -> x);
    t.setDefault(Runnable.class, (Runnable & Serializable) () -> {});
    t.setDefault(Callable.class, (Callable<Object> & Serializable) () -> "x");
    t.setDefault(Iterable.class, List.of());
    t.setDefault(Collection.class, List.of());
    t.setDefault(Object.class, "x");
    t.setDefault(String.class, "x");
    t.setDefault(BackendConfig.class, BackendConfig.of("tck-null", java.util.Map.of()));
    return t;
  }

  /**
   * Runs the tester over every public method {@code api} declares or inherits (not those of
   * {@link Object}), called on {@code handle}.
   */
  private static <T> void assertRefusesNulls(Class<T> api, T handle) {
    NullPointerTester t = tester();
    for (Method m : api.getMethods()) {
      if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class || acceptsNull(m)) {
        continue;
      }
      try {
        t.testMethod(handle, m);
      } catch (AssertionError e) {
        throw new AssertionError(api.getSimpleName() + "." + m.getName() + " on " + handle.getClass().getName()
            + ": " + e.getMessage(), e);
      }
    }
  }

  /** {@code ExecutorService.submit(task, result)}: the JDK lets {@code result} be null (its task is checked below). */
  private static boolean acceptsNull(Method m) {
    return m.getDeclaringClass() == ExecutorService.class && m.getName().equals("submit") && m.getParameterCount() == 2;
  }

  @Test
  void theBackendAndItsProviderRefuseNulls() {
    assertRefusesNulls(Backend.class, backend());
    assertRefusesNulls(BackendProvider.class, provider());
  }

  @Test
  void queuesAndEventsRefuseNulls() {
    assertRefusesNulls(Queue.class, backend().newQueue(4));
    assertRefusesNulls(JoinableQueue.class, backend().newJoinableQueue(4));
    assertRefusesNulls(Event.class, backend().newEvent());
  }

  @Test
  void theToolboxRefusesNulls() {
    assertRefusesNulls(Lock.class, backend().newLock());
    assertRefusesNulls(Lock.class, backend().newRLock());
    assertRefusesNulls(Semaphore.class, backend().newSemaphore(1));
    assertRefusesNulls(Semaphore.class, backend().newBoundedSemaphore(1));
    assertRefusesNulls(Barrier.class, backend().newBarrier(2));
    Pipe<Object> pipe = backend().newPipe();
    assertRefusesNulls(Connection.class, pipe.left());
    assertRefusesNulls(Connection.class, pipe.right());
    assertRefusesNulls(Value.class, backend().newValue(0));
    assertRefusesNulls(SharedMap.class, backend().newSharedMap());
  }

  @Test
  void poolsTheirExecutorServiceAndWorkersRefuseNulls() {
    try (Pool pool = pool(1)) {
      assertRefusesNulls(Pool.class, pool);
      ExecutorService view = pool.asExecutorService();
      assertRefusesNulls(ExecutorService.class, view);
      org.assertj.core.api.Assertions.assertThatNullPointerException().isThrownBy(() -> view.submit(null, "x"));
      view.shutdown();
    }
    Worker unstarted = backend().newWorker(() -> {}, WorkerOptions.defaults());
    assertRefusesNulls(Worker.class, unstarted);
    assertThat(unstarted.isAlive()).as("a worker the tester never started").isFalse();
  }

  @Test
  void shippedHandlesReadBackAsTheSameObject() throws Exception {
    assumeTrue(shipsObjects(), "only backends that ship objects serialize handles");
    Duration patience = patience();

    Queue<Integer> queue = backend().newQueue(0);
    SerializableTester.reserialize(queue).put(7);
    assertThat(queue.get(patience)).as("a queue's copy puts on the queue").contains(7);

    JoinableQueue<Integer> joinable = backend().newJoinableQueue(0);
    JoinableQueue<Integer> joinableCopy = SerializableTester.reserialize(joinable);
    joinableCopy.put(8);
    assertThat(joinable.get(patience)).contains(8);
    joinable.taskDone();
    assertThat(joinableCopy.join(patience)).as("the copy sees the task done").isTrue();

    Event event = backend().newEvent();
    SerializableTester.reserialize(event).set();
    assertThat(event.isSet()).as("an event's copy sets the event").isTrue();

    Lock lock = backend().newLock();
    assertThat(SerializableTester.reserialize(lock).tryAcquire()).isTrue();
    assertThat(lock.tryAcquire()).as("the lock, taken through its copy").isFalse();
    lock.release();

    Semaphore semaphore = backend().newSemaphore(2);
    assertThat(SerializableTester.reserialize(semaphore).tryAcquire()).isTrue();
    assertThat(semaphore.available()).as("a permit taken through the copy").isEqualTo(1);

    Barrier barrier = backend().newBarrier(3);
    Barrier barrierCopy = SerializableTester.reserialize(barrier);
    barrierCopy.abort();
    assertThat(barrier.isBroken()).as("a barrier broken through its copy").isTrue();
    assertThat(barrierCopy.parties()).isEqualTo(3);

    Pipe<Integer> pipe = backend().newPipe();
    SerializableTester.reserialize(pipe.left()).send(9);
    assertThat(pipe.right().recv(patience)).as("sent through a copy of the left end").contains(9);
    Pipe<Integer> pipeCopy = SerializableTester.reserialize(pipe);
    pipeCopy.right().send(10);
    assertThat(pipe.left().recv(patience)).as("sent through a copy of the pipe").contains(10);

    Value value = backend().newValue(1);
    SerializableTester.reserialize(value).addAndGet(41);
    assertThat(value.get()).as("added through the value's copy").isEqualTo(42);

    SharedMap<String, Integer> map = backend().newSharedMap();
    SerializableTester.reserialize(map).put("k", 1);
    assertThat(map.get("k")).as("put through the map's copy").isEqualTo(1);
  }
}
