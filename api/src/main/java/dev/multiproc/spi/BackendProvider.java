package dev.multiproc.spi;

import dev.multiproc.Backend;

/**
 * Makes a {@link Backend} available by name. Implementations are found with
 * {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/dev.multiproc.spi.BackendProvider}. The class must be public with a
 * public no-argument constructor.
 *
 * <p>Constructing a provider and calling {@link #name()} and {@link #priority()} must be cheap and
 * start nothing: every provider on the class path is constructed to choose one. Only
 * {@link #open(BackendConfig)} does work, and only for the chosen provider.
 */
public interface BackendProvider {

  /**
   * The backend's name in configuration ({@code multiproc.backend=<name>}); lower case, words
   * separated by {@code -}. Must be unique on the class path.
   *
   * @return the name
   */
  String name();

  /**
   * The preference when no backend is configured and several are present: the highest priority of
   * at least 0 wins. Backends that start processes or join clusters return a negative value so
   * they are only used when configured or when alone on the class path.
   *
   * @return the priority
   */
  int priority();

  /**
   * The options this backend reads, as in {@code multiproc.<name>.<option>} ({@code jvm-options}).
   * Multiproc warns about a {@code multiproc.<name>.*} key that is not among them, naming the
   * closest one, so that a misspelt key is not silently ignored.
   *
   * @return the option names; empty (the default) to check none of this backend's keys
   */
  default java.util.Set<String> options() {
    return java.util.Set.of();
  }

  /**
   * Opens a new, independent backend. The caller owns it and must close it.
   *
   * @param config the backend's settings ({@code multiproc.<name>.*})
   * @return a new open backend
   * @throws IllegalArgumentException if a setting is invalid; the message names the key and where
   *     its value came from
   * @throws dev.multiproc.MultiprocException if the backend cannot start
   */
  Backend open(BackendConfig config);
}
