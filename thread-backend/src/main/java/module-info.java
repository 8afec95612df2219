/** The {@code thread} backend: the engine's pools, queues, events and workers on platform threads. */
module dev.multiproc.thread {
  requires dev.multiproc;
  requires dev.multiproc.engine;

  provides dev.multiproc.spi.BackendProvider with dev.multiproc.thread.ThreadBackendProvider;
}
