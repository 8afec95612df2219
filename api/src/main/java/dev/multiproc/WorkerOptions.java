package dev.multiproc;

import java.util.Objects;
import java.util.Optional;

/**
 * The settings of a {@link Worker}: Python's {@code Process(name=..., daemon=...)}. Immutable;
 * made by {@link #builder()}.
 */
public final class WorkerOptions {

  private static final WorkerOptions DEFAULTS = builder().build();

  private final String name;
  private final boolean daemon;

  private WorkerOptions(Builder b) {
    this.name = b.name;
    this.daemon = b.daemon;
  }

  /** {@return a new builder with the defaults: a generated name, not a daemon} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the defaults} */
  public static WorkerOptions defaults() {
    return DEFAULTS;
  }

  /** {@return the name, if one was set; otherwise the backend generates {@code Worker-N}} */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  /**
   * {@return whether the worker is a daemon: a daemon does not keep the JVM alive; a non-daemon worker (the default, as in Python) does}
   */
  public boolean daemon() {
    return daemon;
  }

  @Override
  public String toString() {
    return "WorkerOptions{name=" + name + ", daemon=" + daemon + "}";
  }

  /** Builds {@link WorkerOptions}. Not thread-safe. */
  public static final class Builder {
    private String name;
    private boolean daemon;

    private Builder() {}

    /**
     * Sets the {@code name} option.
     *
     * @param name the worker's name
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
     * Sets the {@code daemon} option.
     *
     * @param daemon whether the worker is a daemon
     * @return this builder
     */
    public Builder daemon(boolean daemon) {
      this.daemon = daemon;
      return this;
    }

    /** {@return the options} */
    public WorkerOptions build() {
      return new WorkerOptions(this);
    }
  }
}
