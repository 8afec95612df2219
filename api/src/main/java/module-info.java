/**
 * multiproc's API: Python's {@code multiprocessing} model (Pool, Queue, Event, Worker, and the rest
 * of the toolbox) with the backend chosen by configuration. Add one backend module next to it.
 */
module dev.multiproc {
  exports dev.multiproc;
  exports dev.multiproc.spi;

  uses dev.multiproc.spi.BackendProvider;
}
