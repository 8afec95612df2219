package dev.multiproc.hazelcast;

import dev.multiproc.Backend;
import dev.multiproc.spi.BackendConfig;
import dev.multiproc.spi.BackendProvider;

/**
 * The {@code hazelcast} backend: pools, queues, events and workers on a Hazelcast cluster, through
 * an embedded member (default: a one-member cluster on 127.0.0.1) or a client. Priority -1: used
 * when configured, or when it is the only backend on the class path. Public because
 * {@link java.util.ServiceLoader} needs it; constructing it starts nothing.
 *
 * <p>Settings ({@code multiproc.hazelcast.*}: system property, environment variable, or
 * {@code multiproc.properties}; see {@link HazelcastSettings} and the README):
 * {@code mode}, {@code cluster-name}, {@code members}, {@code port}, {@code config},
 * {@code heartbeat-timeout}, {@code shutdown-timeout}.
 */
public final class HazelcastBackendProvider implements BackendProvider {

  /** The backend's name. */
  public static final String NAME = "hazelcast";

  /** Constructed by {@link java.util.ServiceLoader}; starts nothing. */
  public HazelcastBackendProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return -1;
  }

  @Override
  public Backend open(BackendConfig config) {
    return new HazelcastBackend(HazelcastSettings.from(config));
  }
}
