/** Internal, no compatibility promise: what every multiproc backend shares. Exported only to them. */
module dev.multiproc.engine {
  requires transitive dev.multiproc;
  requires jdk.jfr;

  exports dev.multiproc.engine to
      dev.multiproc.thread,
      dev.multiproc.virtualthread,
      dev.multiproc.process,
      dev.multiproc.hazelcast;
}
