package dev.multiproc;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings of a {@link Pool}: Python's {@code Pool(processes, initializer, maxtasksperchild)}
 * and more. Immutable; made by {@link #builder()}.
 *
 * <pre>{@code
 * PoolOptions options = PoolOptions.builder().workers(8).name("crunch").chunkSize(64).build();
 * }</pre>
 */
public final class PoolOptions {

  private static final PoolOptions DEFAULTS = builder().build();

  private final int workers;
  private final String name;
  private final Task initializer;
  private final int maxTasksPerWorker;
  private final int chunkSize;
  private final Duration taskTimeout;
  private final int retriesOnWorkerDeath;

  private PoolOptions(Builder b) {
    this.workers = b.workers;
    this.name = b.name;
    this.initializer = b.initializer;
    this.maxTasksPerWorker = b.maxTasksPerWorker;
    this.chunkSize = b.chunkSize;
    this.taskTimeout = b.taskTimeout;
    this.retriesOnWorkerDeath = b.retriesOnWorkerDeath;
  }

  /**
   * A new builder with every setting at its default.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The default settings: one worker per available processor.
   *
   * @return the defaults
   */
  public static PoolOptions defaults() {
    return DEFAULTS;
  }

  /**
   * A builder that starts from these settings.
   *
   * @return a builder holding a copy of these settings
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.workers = workers;
    b.name = name;
    b.initializer = initializer;
    b.maxTasksPerWorker = maxTasksPerWorker;
    b.chunkSize = chunkSize;
    b.taskTimeout = taskTimeout;
    b.retriesOnWorkerDeath = retriesOnWorkerDeath;
    return b;
  }

  /** {@return the number of workers; default {@link Runtime#availableProcessors()}} */
  public int workers() {
    return workers;
  }

  /** {@return the prefix of the workers' names; default {@code "pool"}} */
  public String name() {
    return name;
  }

  /** {@return the task run once in each worker before its first task, if any} */
  public Optional<Task> initializer() {
    return Optional.ofNullable(initializer);
  }

  /** {@return tasks a worker runs before it is replaced by a fresh one; 0 (default) = never} */
  public int maxTasksPerWorker() {
    return maxTasksPerWorker;
  }

  /**
   * {@return the default chunk size of {@code map} and the iterators; 0 (default) = Python's rule: {@code ceil(n / (4 * workers))} for {@code map}, 1 for {@code imap}}
   */
  public int chunkSize() {
    return chunkSize;
  }

  /** {@return how long one item or task may run before it is stopped, if limited} */
  public Optional<Duration> taskTimeout() {
    return Optional.ofNullable(taskTimeout);
  }

  /** {@return how many times a task whose worker died is run again; default 0} */
  public int retriesOnWorkerDeath() {
    return retriesOnWorkerDeath;
  }

  @Override
  public String toString() {
    return "PoolOptions{workers=" + workers + ", name=" + name + ", initializer=" + (initializer != null)
        + ", maxTasksPerWorker=" + maxTasksPerWorker + ", chunkSize=" + chunkSize
        + ", taskTimeout=" + taskTimeout + ", retriesOnWorkerDeath=" + retriesOnWorkerDeath + "}";
  }

  /** Builds {@link PoolOptions}; every setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private int workers = Runtime.getRuntime().availableProcessors();
    private String name = "pool";
    private Task initializer;
    private int maxTasksPerWorker;
    private int chunkSize;
    private Duration taskTimeout;
    private int retriesOnWorkerDeath;

    private Builder() {}

    /**
     * Sets the {@code workers} option.
     *
     * @param workers the number of workers, at least 1
     * @throws IllegalArgumentException if {@code workers} is less than 1
     * @return this builder
     */
    public Builder workers(int workers) {
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be at least 1, got " + workers);
      }
      this.workers = workers;
      return this;
    }

    /**
     * Sets the {@code name} option.
     *
     * @param name the prefix of the workers' names (they are called {@code name-1}, {@code name-2}, ...)
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     * @return this builder
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /**
     * Sets the {@code initializer} option.
     *
     * @param initializer run once in each worker before its first task (to open a connection,
     *     warm a cache); if it throws, the pool is broken: its work fails with a
     *     {@link TaskFailedException} carrying that exception, and new work is refused
     * @throws NullPointerException if {@code initializer} is null
     * @return this builder
     */
    public Builder initializer(Task initializer) {
      this.initializer = Objects.requireNonNull(initializer, "initializer");
      return this;
    }

    /**
     * Sets the {@code maxTasksPerWorker} option.
     *
     * @param maxTasksPerWorker tasks (chunks or submits) a worker runs before it is replaced by a
     *     fresh one, freeing whatever the old one held; 0 = never (Python's {@code maxtasksperchild})
     * @throws IllegalArgumentException if negative
     * @return this builder
     */
    public Builder maxTasksPerWorker(int maxTasksPerWorker) {
      if (maxTasksPerWorker < 0) {
        throw new IllegalArgumentException(
            "maxTasksPerWorker must be 0 (never replace) or positive, got " + maxTasksPerWorker);
      }
      this.maxTasksPerWorker = maxTasksPerWorker;
      return this;
    }

    /**
     * Sets the {@code chunkSize} option.
     *
     * @param chunkSize the default chunk size; 0 = Python's rule
     * @throws IllegalArgumentException if negative
     * @return this builder
     */
    public Builder chunkSize(int chunkSize) {
      if (chunkSize < 0) {
        throw new IllegalArgumentException("chunkSize must be 0 (automatic) or positive, got " + chunkSize);
      }
      this.chunkSize = chunkSize;
      return this;
    }

    /**
     * Sets the {@code taskTimeout} option.
     *
     * @param taskTimeout how long one item (of {@code map} and the iterators) or one
     *     {@code submit} may run; a task running longer fails with a
     *     {@link java.util.concurrent.TimeoutException} (for {@code map} and the iterators, as the
     *     cause of a {@link TaskFailedException} naming the item), and its worker is stopped and
     *     replaced (a child process is killed; a thread is interrupted and abandoned)
     * @throws NullPointerException if {@code taskTimeout} is null
     * @throws IllegalArgumentException if not positive
     * @return this builder
     */
    public Builder taskTimeout(Duration taskTimeout) {
      Objects.requireNonNull(taskTimeout, "taskTimeout");
      if (taskTimeout.isNegative() || taskTimeout.isZero()) {
        throw new IllegalArgumentException("taskTimeout must be positive, got " + taskTimeout);
      }
      this.taskTimeout = taskTimeout;
      return this;
    }

    /**
     * Sets the {@code retriesOnWorkerDeath} option.
     *
     * @param retriesOnWorkerDeath how many times a task whose worker died is run again on a fresh
     *     worker before it fails with {@link WorkerDiedException}; 0 (default) = never
     * @throws IllegalArgumentException if negative
     * @return this builder
     */
    public Builder retriesOnWorkerDeath(int retriesOnWorkerDeath) {
      if (retriesOnWorkerDeath < 0) {
        throw new IllegalArgumentException("retriesOnWorkerDeath must be 0 or positive, got " + retriesOnWorkerDeath);
      }
      this.retriesOnWorkerDeath = retriesOnWorkerDeath;
      return this;
    }

    /** {@return the options} */
    public PoolOptions build() {
      return new PoolOptions(this);
    }
  }
}
