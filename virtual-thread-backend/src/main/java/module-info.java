/** The {@code virtual-thread} backend: the engine's pools, queues, events and workers on virtual threads. */
module dev.multiproc.virtualthread {
  requires dev.multiproc;
  requires dev.multiproc.engine;

  provides dev.multiproc.spi.BackendProvider with dev.multiproc.virtualthread.VirtualThreadBackendProvider;
}
