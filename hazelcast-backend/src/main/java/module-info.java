/**
 * The {@code hazelcast} backend: pools, queues, events and workers on a Hazelcast cluster, through
 * an embedded member or a client. Tasks, and this module's own task classes, travel to the members
 * Java-serialized; see {@link dev.multiproc.hazelcast.HazelcastBackendProvider}.
 */
module dev.multiproc.hazelcast {
  requires dev.multiproc;
  requires dev.multiproc.engine;
  requires com.hazelcast.core;
  requires java.logging;

  provides dev.multiproc.spi.BackendProvider with dev.multiproc.hazelcast.HazelcastBackendProvider;
}
