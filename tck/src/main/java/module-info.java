/** The conformance kit every multiproc backend passes: abstract JUnit suites to extend. */
module dev.multiproc.tck {
  requires transitive dev.multiproc;
  requires transitive org.junit.jupiter.api;
  requires transitive java.logging; // LogCapture
  requires org.assertj.core;
  requires com.google.common.testlib;

  exports dev.multiproc.tck;
  opens dev.multiproc.tck to org.junit.platform.commons;
}
