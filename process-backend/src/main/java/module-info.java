/**
 * The {@code process} backend: workers in child JVMs over stdin/stdout pipes. A child runs
 * {@code dev.multiproc.process.ChildMain} from this module.
 */
module dev.multiproc.process {
  requires dev.multiproc;
  requires dev.multiproc.engine;

  provides dev.multiproc.spi.BackendProvider with dev.multiproc.process.ProcessBackendProvider;
}
