package dev.multiproc;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One task running on its own: Python's {@code multiprocessing.Process} or
 * {@code threading.Thread}. Made by {@link Multiproc#worker(Task)}; nothing runs until
 * {@link #start()}.
 *
 * <pre>{@code
 * Worker w = Multiproc.worker(() -> crunch()).start();
 * w.join();
 * if (w.exitCode().orElse(-1) != 0) throw new IllegalStateException("failed", w.failure().orElse(null));
 * }</pre>
 *
 * <p>Exit codes follow Python: 0 when the task returned, 1 when it threw (see {@link #failure()}),
 * N when it called {@code System.exit(N)} in a child process, and -N when the worker was killed
 * by signal N ({@link #terminate()} gives -15, {@link #kill()} -9). On the thread backends there
 * is no signal: a terminated or killed thread that ends reports -15 or -9.
 *
 * <p>A non-daemon worker keeps the JVM alive until it ends, as a Python {@code Process} does.
 *
 * <p>What the task prints to {@code System.out} and {@code System.err} reaches this JVM's
 * {@code System.out} and {@code System.err} (the streams set when the output arrives), line by
 * line, on every backend.
 *
 * <p>Actions of the task happen-before {@link #join()} returns and before {@link #isAlive()}
 * returns false. All methods are thread-safe.
 */
public interface Worker {

  /**
   * Starts the worker. Does not wait for the task to begin.
   *
   * @return this worker
   * @throws IllegalStateException if it was already started, or its backend is closed
   * @throws NotShippableException if the task must travel to another JVM and cannot be serialized
   * @throws MultiprocException if the worker cannot be started (for example its child JVM does not
   *     launch); the message carries the reason
   */
  Worker start();

  /**
   * Waits until the worker has ended. Returns at once if it has.
   *
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalStateException if the worker was never started
   */
  void join() throws InterruptedException;

  /**
   * Waits up to {@code timeout} until the worker has ended.
   *
   * @param timeout how long to wait; zero or negative means do not wait
   * @return true if the worker has ended, false if it is still alive
   * @throws InterruptedException if interrupted while waiting
   * @throws NullPointerException if {@code timeout} is null
   * @throws IllegalStateException if the worker was never started
   */
  boolean join(Duration timeout) throws InterruptedException;

  /**
   * Reports whether the worker has started and not yet ended.
   *
   * @return true while the task runs
   */
  boolean isAlive();

  /**
   * Asks the worker to stop: SIGTERM for a child process, an interrupt for a thread (Java cannot
   * stop a thread that ignores interrupts). Does not wait; use {@link #join()}. No effect if the
   * worker is not running.
   */
  void terminate();

  /**
   * Stops the worker forcibly: SIGKILL for a child process, an interrupt for a thread. Does not
   * wait. No effect if the worker is not running.
   */
  void kill();

  /**
   * The exit code, once the worker has ended.
   *
   * @return empty while not started or still running; otherwise 0, 1, N or -N as described above
   */
  OptionalInt exitCode();

  /**
   * What the task threw, if it threw. On backends that run the task in another JVM this is the
   * exception rebuilt in this JVM with the remote stack trace, or a {@link RemoteTaskException}
   * carrying the same facts when its class cannot be rebuilt. A worker that ends because it was
   * {@linkplain #terminate() terminated} or {@linkplain #kill() killed} has no failure for that
   * (its interrupt or signal is how it stopped, as in Python): see {@link #exitCode()}.
   *
   * @return the failure, or empty if the task has not thrown (yet)
   */
  Optional<Throwable> failure();

  /**
   * The worker's name, from {@link WorkerOptions#name()} or generated ({@code Worker-1}, ...).
   *
   * @return the name
   */
  String name();

  /**
   * The operating-system process id of the child running the task, once started.
   *
   * @return the pid on backends that run workers in child processes; empty for threads
   */
  OptionalLong pid();

  /**
   * Whether the worker is a daemon: a daemon does not keep the JVM alive and is stopped when it
   * exits.
   *
   * @return the daemon flag from {@link WorkerOptions#daemon()}
   */
  boolean isDaemon();
}
